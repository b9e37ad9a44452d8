#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A loopback stand-in for Intel PCS/PCCS (API v4) and AMD KDS, serving real collateral and certificates.

Usage: pcs-server.py --log FILE [--tdx BUNDLE_OR_DIR] [--vcek CERT --cert-chain PEM --product NAME
                     --chip-id HEX --tcb QUERY] [--tls CERT KEY]

Binds 127.0.0.1 on a free port and prints "PORT <n>" on stdout once it accepts connections; every request
is appended to the log file ("GET <path>") before it is answered. The first path segment chooses how the
service behaves, so one server plays every case of test/integration/fetch.sh:

  pccs            a PCCS: issuer chains URL-encoded in the PCS headers, rootcacrl as hex text
  pccs-der        the same with the root CA CRL as DER
  pccs-pem        CRLs as PEM and the TCB info chain under the SGX-TCB-Info-Issuer-Chain header
  no-header       TCB info without its issuer chain header
  truncated       TCB info whose body stops halfway through its Content-Length
  garbage         an HTML page instead of TCB info
  unknown-fmspc   HTTP 404 for TCB info, as PCS answers for an FMSPC it does not know
  error500        HTTP 500 for the QE identity
  huge            a 5 MiB TCB info body
  kds             AMD KDS: the VCEK (DER) for exactly the configured chip and TCB, cert_chain (PEM)
  kds-404         HTTP 404 for the VCEK (KDS knows no such chip and TCB)
  kds-429         HTTP 429 for the VCEK (KDS rate limit)
  kds-truncated   a VCEK body cut short

PCS behaviour that is checked: the TCB info is served only for its own FMSPC (any case), the PCK CRL only
for the CA that issued it and only with encoding=der (else PEM, as PCS does).
"""
import argparse
import json
import os
import re
import ssl
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

PARTS = ("tcb_info", "tcb_info_issuer_chain", "qe_identity", "qe_identity_issuer_chain", "pck_crl",
         "pck_crl_issuer_chain", "root_ca_crl")
DIR_FILES = {"tcb_info": "tcb_info.json", "tcb_info_issuer_chain": "tcb_info_issuer_chain.pem",
             "qe_identity": "qe_identity.json", "qe_identity_issuer_chain": "qe_identity_issuer_chain.pem",
             "pck_crl": "pck_crl.der", "pck_crl_issuer_chain": "pck_crl_issuer_chain.pem",
             "root_ca_crl": "root_ca_crl.der"}


def der_to_pem(der, kind):
    b = ssl.DER_cert_to_PEM_cert(der).replace("CERTIFICATE", kind)
    return b.encode()


def load_tdx(path):
    """The collateral as PCS would serve it: bodies (bytes) and issuer chains (PEM text)."""
    c = {}
    if os.path.isdir(path):
        for part, name in DIR_FILES.items():
            with open(os.path.join(path, name), "rb") as f:
                c[part] = f.read()
        for part in ("tcb_info_issuer_chain", "qe_identity_issuer_chain", "pck_crl_issuer_chain"):
            c[part] = c[part].decode()
    else:
        with open(path) as f:
            b = json.load(f)
        # PCS bodies: the signed text unchanged, then the signature.
        c["tcb_info"] = ('{"tcbInfo":%s,"signature":"%s"}' % (b["tcb_info"], b["tcb_info_signature"])).encode()
        c["qe_identity"] = ('{"enclaveIdentity":%s,"signature":"%s"}' %
                            (b["qe_identity"], b["qe_identity_signature"])).encode()
        for part in ("tcb_info_issuer_chain", "qe_identity_issuer_chain", "pck_crl_issuer_chain"):
            c[part] = b[part]
        for part in ("pck_crl", "root_ca_crl"):
            c[part] = bytes.fromhex(b[part])
    c["fmspc"] = json.loads(c["tcb_info"])["tcbInfo"]["fmspc"].lower()
    c["ca"] = "platform" if b"PCK Platform CA" in c["pck_crl"] else "processor"
    return c


def load_cert_der(path):
    with open(path, "rb") as f:
        data = f.read()
    if b"-----BEGIN CERTIFICATE-----" in data:
        return ssl.PEM_cert_to_DER_cert(data.decode())
    return data


class Handler(BaseHTTPRequestHandler):
    server_version = "pcs-server"

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body=b"", headers=(), length=None):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self):
        cfg = self.server.cfg
        with open(cfg.log, "a") as log:
            log.write("GET %s\n" % self.path)
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        m = re.match(r"^/([a-z0-9-]+)(/.*)$", url.path)
        if not m:
            return self.answer(404)
        mode, path = m.groups()
        if mode.startswith("kds"):
            return self.kds(mode, path, url.query)
        c = cfg.tdx
        if c is None:
            return self.answer(404)
        chain = lambda part: urllib.parse.quote(c[part], safe="")

        if path == "/tdx/certification/v4/tcb":
            if mode == "unknown-fmspc" or query.get("fmspc", [""])[0].lower() != c["fmspc"]:
                return self.answer(404)
            if mode == "garbage":
                return self.answer(200, b"<html><body>Service unavailable</body></html>",
                                   [("Content-Type", "text/html")])
            if mode == "huge":
                return self.answer(200, b" " * (5 * 1024 * 1024), [("Content-Type", "application/json")])
            name = "SGX-TCB-Info-Issuer-Chain" if mode == "pccs-pem" else "TCB-Info-Issuer-Chain"
            headers = [("Content-Type", "application/json")]
            if mode != "no-header":
                headers.append((name, chain("tcb_info_issuer_chain")))
            if mode == "truncated":
                return self.answer(200, c["tcb_info"][: len(c["tcb_info"]) // 2], headers, len(c["tcb_info"]))
            return self.answer(200, c["tcb_info"], headers)
        if path == "/tdx/certification/v4/qe/identity":
            if mode == "error500":
                return self.answer(500, b"internal error")
            return self.answer(200, c["qe_identity"], [("Content-Type", "application/json"),
                                                       ("SGX-Enclave-Identity-Issuer-Chain",
                                                        chain("qe_identity_issuer_chain"))])
        if path == "/sgx/certification/v4/pckcrl":
            if query.get("ca", [""])[0].lower() != c["ca"]:
                return self.answer(404)
            der = query.get("encoding", [""])[0] == "der" and mode != "pccs-pem"
            body = c["pck_crl"] if der else der_to_pem(c["pck_crl"], "X509 CRL")
            return self.answer(200, body, [("SGX-PCK-CRL-Issuer-Chain", chain("pck_crl_issuer_chain"))])
        if path == "/sgx/certification/v4/rootcacrl":
            crl = c["root_ca_crl"]
            body = {"pccs-der": crl, "pccs-pem": der_to_pem(crl, "X509 CRL")}.get(mode, crl.hex().encode())
            return self.answer(200, body)
        return self.answer(404)

    def kds(self, mode, path, query):
        cfg = self.server.cfg
        prefix = "/vcek/v1/%s/" % cfg.product
        if not cfg.vcek or not path.startswith(prefix):
            return self.answer(404)
        rest = path[len(prefix):]
        if rest == "cert_chain":
            with open(cfg.cert_chain, "rb") as f:
                return self.answer(200, f.read(), [("Content-Type", "application/x-pem-file")])
        if rest.lower() != cfg.chip_id.lower() or query != cfg.tcb:
            return self.answer(404)
        if mode == "kds-404":
            return self.answer(404)
        if mode == "kds-429":
            return self.answer(429, b"Too Many Requests", [("Retry-After", "60")])
        der = load_cert_der(cfg.vcek)
        if mode == "kds-truncated":
            return self.answer(200, der[:100], [("Content-Type", "application/x-x509-ca-cert")])
        return self.answer(200, der, [("Content-Type", "application/x-x509-ca-cert")])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--log", required=True)
    p.add_argument("--tdx")
    p.add_argument("--vcek")
    p.add_argument("--cert-chain")
    p.add_argument("--product", default="Milan")
    p.add_argument("--chip-id", default="")
    p.add_argument("--tcb", default="")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS with this certificate")
    cfg = p.parse_args()
    cfg.tdx = load_tdx(cfg.tdx) if cfg.tdx else None

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.cfg = cfg
    if cfg.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*cfg.tls)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
