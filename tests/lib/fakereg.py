#!/usr/bin/env python3
"""fakereg.py DIR PORTFILE - a tiny registry for tests, on 127.0.0.1 only

Serves what DIR holds, so tests can craft what a real registry never
sends (a wrong digest, a body that is not JSON, an unknown media type):
  DIR/manifests/REF        a manifest (REF: a tag or "sha256:..."),
  DIR/manifests/REF.type   its Content-Type (default: its mediaType),
  DIR/manifests/REF.digest a Docker-Content-Digest header to send,
  DIR/blobs/DIGEST         a blob (Range requests honoured),
  DIR/norange              present: answer Range requests with 200,
  DIR/token                present: require "Authorization: Bearer <it>",
                           handed out by GET /token (Bearer challenge),
  DIR/creds                "user:pass" the token endpoint requires.
Pushes (HEAD and PUT of blobs after a POST to blobs/uploads/, PUT of
manifests) land in the same files; with DIR/token they need the token
handed out for a scope with "push" (the token followed by "-push"), and
their challenge asks for "repository:NAME:pull,push".
Every request line and its Range header go to DIR/requests.log.
"""
import base64
import hashlib
import json
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = sys.argv[1]


def read(name):
    try:
        with open(os.path.join(ROOT, name), "rb") as f:
            return f.read()
    except OSError:
        return None


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="application/json", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":  # a HEAD answer has headers only
            self.wfile.write(body)

    def error(self, code, ecode, msg, headers=()):
        body = json.dumps({"errors": [{"code": ecode, "message": msg}]}).encode()
        self.send(code, body, headers=headers)

    def token(self):
        creds = read("creds")
        if creds is not None:
            want = "Basic " + base64.b64encode(creds.strip()).decode()
            if self.headers.get("Authorization") != want:
                body = json.dumps({"details": "incorrect username or password"}).encode()
                return self.send(401, body)
        tok = read("token").decode().strip()
        if "push" in self.path.split("scope=", 1)[-1]:
            tok += "-push"
        self.send(200, json.dumps({"token": tok, "expires_in": 300}).encode())

    def authorised(self, name, push=False):
        tok = read("token")
        if tok is not None:
            tok = tok.decode().strip()
            ok = {"Bearer " + tok + "-push"} if push else {"Bearer " + tok, "Bearer " + tok + "-push"}
        if tok is None or self.headers.get("Authorization") in ok:
            return True
        port = self.server.server_address[1]
        chal = 'Bearer realm="http://127.0.0.1:%d/token",service="fakereg"' % port
        if name:
            chal += ',scope="repository:%s:%s"' % (name, "pull,push" if push else "pull")
        self.error(401, "UNAUTHORIZED", "authentication required", [("WWW-Authenticate", chal)])
        return False

    def manifest(self, ref):
        body = read("manifests/" + ref)
        if body is None:
            return self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")
        ctype = read("manifests/" + ref + ".type")
        if ctype is None:
            try:
                ctype = json.loads(body).get("mediaType", "application/json").encode()
            except ValueError:
                ctype = b"application/json"
        hdrs = []
        dig = read("manifests/" + ref + ".digest")
        if dig is not None:
            hdrs.append(("Docker-Content-Digest", dig.decode().strip()))
        self.send(200, body, ctype.decode().strip(), hdrs)

    def blob(self, digest):
        body = read("blobs/" + digest)
        if body is None:
            return self.error(404, "BLOB_UNKNOWN", "blob unknown to registry")
        m = re.match(r"bytes=(\d+)-$", self.headers.get("Range", ""))
        if m and read("norange") is None:
            start = int(m.group(1))
            rest = body[start:]
            hdr = [("Content-Range", "bytes %d-%d/%d" % (start, len(body) - 1, len(body)))]
            self.send_response(206)
            self.send_header("Content-Length", str(len(rest)))
            self.send_header("Content-Range", hdr[0][1])
            self.end_headers()
            self.wfile.write(rest)
            return
        self.send(200, body, "application/octet-stream")

    def do_GET(self):
        with open(os.path.join(ROOT, "requests.log"), "a") as log:
            log.write("GET %s range=%s\n" % (self.path, self.headers.get("Range", "")))
        if self.path.startswith("/token"):
            return self.token()
        m = re.match(r"^/v2/(.+)/(manifests|blobs)/([^/]+)$", self.path)
        name = m.group(1) if m else ""
        if not self.authorised(name):
            return
        if self.path == "/v2/":
            return self.send(200, b"{}")
        if not m:
            return self.error(404, "NAME_UNKNOWN", "repository name not known to registry")
        if m.group(2) == "manifests":
            return self.manifest(m.group(3))
        return self.blob(m.group(3))


    def log(self):
        with open(os.path.join(ROOT, "requests.log"), "a") as log:
            log.write("%s %s range=%s\n" % (self.command, self.path, self.headers.get("Range", "")))

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_HEAD(self):
        self.log()
        m = re.match(r"^/v2/(.+)/blobs/([^/]+)$", self.path)
        if not m or not self.authorised(m.group(1)):
            return
        body = read("blobs/" + m.group(2))
        self.send_response(404 if body is None else 200)
        self.send_header("Content-Length", str(0 if body is None else len(body)))
        self.end_headers()

    def do_POST(self):
        self.log()
        self.body()
        m = re.match(r"^/v2/(.+)/blobs/uploads/", self.path)
        if not m or not self.authorised(m.group(1), push=True):
            return
        loc = "/v2/%s/blobs/uploads/u%d?state=x" % (m.group(1), os.getpid())
        self.send(202, b"", headers=[("Location", loc)])

    def do_PUT(self):
        self.log()
        data = self.body()
        m = re.match(r"^/v2/(.+)/(blobs/uploads/[^?]+\?.*digest=sha256%3A([0-9a-f]{64})|manifests/([^/]+))$", self.path)
        if not m or not self.authorised(m.group(1), push=True):
            return
        if m.group(3):
            if hashlib.sha256(data).hexdigest() != m.group(3):
                return self.error(400, "DIGEST_INVALID", "provided digest did not match uploaded content")
            name = "blobs/sha256:" + m.group(3)
        else:
            name = "manifests/" + m.group(4)
        with open(os.path.join(ROOT, name), "wb") as f:
            f.write(data)
        self.send(201, b"")


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
