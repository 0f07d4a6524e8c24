"""A Web Push receiver on loopback, for the wake-up test (cli/tests/wakeup.rs).

Made with packages written by others (http-ece for RFC 8291 message
encryption, cryptography for P-256 and the VAPID signature), so the relay's
pushes are checked against an implementation the project did not write.

It makes a fresh subscription (a P-256 key pair and an auth secret), listens
on 127.0.0.1 on a free port, and prints one JSON line with the subscription:
{"endpoint", "p256dh", "auth"}. Then, for every POST, it checks the VAPID
header (RFC 8292: an ES256 JWT for this origin, not expired, signed by the
key it names), decrypts the body (aes128gcm), answers 201, and prints one
JSON line: {"vapid_key", "jwt_ok", "jwt_error", "plaintext", "ttl",
"urgency", "encoding"} (`plaintext` base64url, or null if it did not
decrypt). Runs until killed.
"""

import base64
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


PRIVATE = ec.generate_private_key(ec.SECP256R1())
PUBLIC = PRIVATE.public_key().public_bytes(
    serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
)
AUTH = os.urandom(16)


def check_vapid(header: str, origin: str):
    """The VAPID key named in `header`, and why the JWT fails (None: it holds)."""
    if not header.lower().startswith("vapid "):
        return None, "not a vapid authorization"
    fields = dict(
        part.strip().split("=", 1) for part in header[6:].split(",") if "=" in part
    )
    token, key = fields.get("t"), fields.get("k")
    if not token or not key:
        return key, "t or k missing"
    try:
        head, body, sig = token.split(".")
        if json.loads(unb64u(head)).get("alg") != "ES256":
            return key, "not ES256"
        raw = unb64u(sig)
        if len(raw) != 64:
            return key, "signature is not 64 bytes"
        der = encode_dss_signature(
            int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
        )
        pub = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64u(key))
        pub.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
        claims = json.loads(unb64u(body))
    except InvalidSignature:
        return key, "bad signature"
    except Exception as e:  # a malformed token is a failed check, said so
        return key, f"malformed: {e}"
    now = time.time()
    if claims.get("aud") != origin:
        return key, f"aud {claims.get('aud')!r} is not {origin!r}"
    if not (now < claims.get("exp", 0) <= now + 24 * 3600 + 60):
        return key, "exp out of range"
    if not claims.get("sub"):
        return key, "no sub"
    return key, None


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        key, error = check_vapid(self.headers.get("Authorization", ""), origin)
        try:
            plaintext = b64u(
                http_ece.decrypt(
                    body, private_key=PRIVATE, auth_secret=AUTH, version="aes128gcm"
                )
            )
        except Exception:
            plaintext = None
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()
        event = {
            "vapid_key": key,
            "jwt_ok": error is None,
            "jwt_error": error,
            "plaintext": plaintext,
            "ttl": self.headers.get("TTL"),
            "urgency": self.headers.get("Urgency"),
            "encoding": self.headers.get("Content-Encoding"),
        }
        print(json.dumps(event), flush=True)

    def log_message(self, *args):
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    path = b64u(os.urandom(12))
    sub = {
        "endpoint": f"http://127.0.0.1:{port}/push/{path}",
        "p256dh": b64u(PUBLIC),
        "auth": b64u(AUTH),
    }
    print(json.dumps(sub), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
