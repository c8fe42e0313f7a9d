"""A local S3-compatible server behind TLS, as pgBackRest needs it: moto_server on plain HTTP,
nginx in front with a certificate for `localhost` signed by a CA made for the test run."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from stack.process import ManagedProcess, port_open

ACCESS_KEY = "drill-access-key"
SECRET_KEY = "drill-secret-key"  # noqa: S105 - the local test server's only
REGION = "us-east-1"

NGINX_CONF = """\
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log;
events {{}}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  server {{
    listen 127.0.0.1:{tls_port} ssl;
    ssl_certificate {dir}/server.pem;
    ssl_certificate_key {dir}/server.key;
    client_max_body_size 0;
    location / {{
      proxy_pass http://127.0.0.1:{s3_port};
      proxy_set_header Host $http_host;
      proxy_http_version 1.1;
      proxy_request_buffering off;
      proxy_buffering off;
    }}
  }}
}}
"""


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_certificates(directory: Path) -> Path:
    """A CA, and a certificate for localhost it signed; returns the CA file to trust."""
    ca_key, ca, key, csr, cert = (
        directory / n for n in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem")
    )
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=backup drill CA", "-keyout", str(ca_key), "-out", str(ca),
    )  # fmt: skip
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
        "-keyout", str(key), "-out", str(csr),
    )  # fmt: skip
    extensions = directory / "san.cnf"
    extensions.write_text("subjectAltName=DNS:localhost\n")
    _openssl(
        "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
        "-CAcreateserial", "-days", "1", "-extfile", str(extensions), "-out", str(cert),
    )  # fmt: skip
    return ca


@dataclass
class S3Server:
    directory: Path
    s3_port: int
    tls_port: int
    ca_file: Path = field(init=False)
    moto: ManagedProcess | None = None
    proxy: ManagedProcess | None = None

    def start(self) -> S3Server:
        self.ca_file = make_certificates(self.directory)
        self.moto = ManagedProcess(
            "moto",
            ["moto_server", "-H", "127.0.0.1", "-p", str(self.s3_port)],
            self.directory / "moto.log",
        ).start()
        self.moto.wait_until(lambda: port_open(self.s3_port), 30, "listening")
        (self.directory / "nginx.conf").write_text(
            NGINX_CONF.format(dir=self.directory, tls_port=self.tls_port, s3_port=self.s3_port)
        )
        self.start_proxy()
        return self

    def start_proxy(self) -> None:
        conf = str(self.directory / "nginx.conf")
        self.proxy = ManagedProcess(
            "s3-tls-proxy",
            ["nginx", "-p", str(self.directory), "-c", conf, "-e", "stderr"],
            self.directory / "nginx.log",
        ).start()
        self.proxy.wait_until(lambda: port_open(self.tls_port), 10, "listening")

    def stop_proxy(self) -> None:
        """The S3 endpoint goes away, as when the storage or the network to it fails."""
        if self.proxy:
            self.proxy.stop()

    def stop(self) -> None:
        self.stop_proxy()
        if self.moto:
            self.moto.stop()

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=f"https://localhost:{self.tls_port}",
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            verify=str(self.ca_file),
        )

    def pgbackrest_env(self, bucket: str) -> dict[str, str]:
        """repo1 in this server's bucket, TLS verified against the test's CA."""
        return {
            "PGBACKREST_REPO1_TYPE": "s3",
            "PGBACKREST_REPO1_PATH": "/pgbackrest",
            "PGBACKREST_REPO1_S3_ENDPOINT": "localhost",
            "PGBACKREST_REPO1_STORAGE_PORT": str(self.tls_port),
            "PGBACKREST_REPO1_STORAGE_CA_FILE": str(self.ca_file),
            "PGBACKREST_REPO1_S3_BUCKET": bucket,
            "PGBACKREST_REPO1_S3_REGION": REGION,
            "PGBACKREST_REPO1_S3_KEY": ACCESS_KEY,
            "PGBACKREST_REPO1_S3_KEY_SECRET": SECRET_KEY,
            # A failing call fails in seconds instead of minutes (pgBackRest retries each call).
            "PGBACKREST_IO_TIMEOUT": "5",
            "PGBACKREST_ARCHIVE_TIMEOUT": "30",
        }
