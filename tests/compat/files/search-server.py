"""A registry's v1 search API, three repositories: search-server.py PORT
(on 127.0.0.1). GET /v1/_ping answers true; GET /v1/search?q=&n= the
repositories whose name holds q, at most n."""
import http.server
import json
import sys
import urllib.parse

RESULTS = [
    {"name": "library/busybox", "description": "Busybox base image.", "star_count": 3000, "is_official": True, "is_automated": False},
    {"name": "someone/busybox-extra", "description": "A much longer description of a busybox variant that goes on and on", "star_count": 12, "is_official": False, "is_automated": True},
    {"name": "other/bb", "description": "", "star_count": 0, "is_official": False, "is_automated": False},
]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        sys.stderr.write("GET %s\n" % self.path); sys.stderr.flush()
        if u.path == "/v1/_ping":
            body = b"true"
        elif u.path == "/v1/search":
            q = urllib.parse.parse_qs(u.query)
            term = q.get("q", [""])[0]; n = int(q.get("n", ["25"])[0])
            r = [x for x in RESULTS if term in x["name"]][:n]
            body = json.dumps({"num_results": len(r), "query": term, "results": r}).encode()
        else:
            self.send_response(404); self.end_headers(); return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
