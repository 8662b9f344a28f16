"""The local Apache Kafka broker: one KRaft node (broker + controller) on the loopback address.

No Docker engine is assumed. The broker's jars come from Maven Central through the pinned
``tools/kafka/pom.xml`` (``mvn dependency:copy-dependencies``), Java runs
``kafka.tools.StorageTool format`` once per data folder, then ``kafka.Kafka`` detached from
the calling process, so ``geotension broker start`` returns while the broker keeps running.

Layout under ``local_broker.home`` (default ``.kafka``, git-ignored)::

    libs-4.3.1/              the jars, shared by every instance (fetched once)
    node-9092/               one instance per listener port
        server.properties    generated on every start from the settings
        cluster.id           the cluster id the data folder was formatted with
        data/                topics and the KRaft metadata log (survive restarts)
        logs/server.log      the broker's log (see tools/kafka/log4j2.properties)
        logs/stdout.log      the JVM's own output (crashes before logging starts)
        broker.pid           the running broker's process id

Usage::

    broker = LocalBroker(load_settings())
    status, started_now = broker.start()      # idempotent
    broker.stop()

This module is lifecycle code only: it talks to the broker through a raw ApiVersions +
Metadata exchange (:func:`broker_answers`) and does not depend on faust.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import ipaddress
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from streams.errors import BrokerError
from streams.settings import Secret, Settings, resource_dir

#: Main classes of the broker jar (checked against kafka_2.13-4.3.1.jar).
BROKER_MAIN = "kafka.Kafka"
STORAGE_TOOL = "kafka.tools.StorageTool"

#: A libs folder is complete once this marker exists (written after mvn succeeded), so an
#: interrupted download is fetched again rather than run half-populated.
_LIBS_MARKER = ".complete"

#: Separates the JVM output of successive starts in logs/stdout.log.
_RUN_MARKER = "--- start"

_POM = "tools/kafka/pom.xml"
#: The SCRAM user the broker itself logs in as on its SASL_SSL inter-broker listener.
_INTERNAL_USER = "geotension-broker"
_LOG4J = "tools/kafka/log4j2.properties"


@dataclass(frozen=True)
class BrokerStatus:
    """What ``geotension broker status`` reports about one local broker instance."""

    running: bool
    version: str
    address: str
    pid: int | None
    data_dir: Path
    log_file: Path
    #: ``PLAINTEXT`` or ``SASL_SSL`` (the client listener's protocol).
    security_protocol: str = "PLAINTEXT"
    #: The CA clients must trust (``kafka.ssl_cafile``) when the listener is SASL_SSL.
    ca_file: Path | None = None


def split_address(bootstrap: str) -> tuple[str, int]:
    """``host:port`` (or ``[::1]:port``) of the first bootstrap server, as a tuple."""
    first = bootstrap.split(",")[0].strip()
    host, sep, port = first.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise BrokerError(f"bootstrap address {bootstrap!r}: expected host:port")
    return host.strip("[]"), int(port)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine's loopback interface (the local broker's only home)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# --------------------------------------------------------------------------------------------
# A real Kafka request, not just an open port
# --------------------------------------------------------------------------------------------

_API_VERSIONS = 18
_METADATA = 3
_SASL_HANDSHAKE = 17
_SASL_AUTHENTICATE = 36

#: SCRAM mechanisms the local broker can create users for, with their hash.
SCRAM_HASHES = {"SCRAM-SHA-256": "sha256", "SCRAM-SHA-512": "sha512"}


@dataclass(frozen=True)
class ClientSecurity:
    """How the probe reaches a secured listener: TLS (trusting ``cafile``, else the system CAs),
    then a SASL login when ``mechanism`` is set (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)."""

    tls: bool
    cafile: Path | None = None
    mechanism: str = ""
    username: str = ""
    password: Secret = field(default=Secret(""), repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> ClientSecurity | None:
        """What ``kafka.security_protocol`` asks for; ``None`` for PLAINTEXT."""
        kafka = settings.kafka
        if kafka.security_protocol == "PLAINTEXT":
            return None
        sasl = kafka.security_protocol.startswith("SASL_")
        return cls(
            tls=kafka.security_protocol.endswith("SSL"),
            cafile=Path(kafka.ssl_cafile) if kafka.ssl_cafile else None,
            mechanism=kafka.sasl_mechanism if sasl else "",
            username=kafka.sasl_username if sasl else "",
            password=kafka.sasl_password if sasl else Secret(""),
        )


class AuthenticationRejected(Exception):
    """The broker answered and refused the SASL credentials (not a transient failure)."""


def _request(sock: socket.socket, api_key: int, version: int, correlation: int, body: bytes) -> bytes:
    """Send one request (header v1) and return the response body after the correlation id."""
    client = b"geotension-probe"
    header = struct.pack(">hhih", api_key, version, correlation, len(client)) + client
    payload = header + body
    sock.sendall(struct.pack(">i", len(payload)) + payload)
    size = struct.unpack(">i", _recv_exact(sock, 4))[0]
    if not 4 <= size <= 16 * 1024 * 1024:
        raise ValueError(f"implausible response size {size}")
    data = _recv_exact(sock, size)
    if struct.unpack(">i", data[:4])[0] != correlation:
        raise ValueError("correlation id mismatch")
    return data[4:]


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < n:
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            raise ConnectionError("connection closed by peer")
        chunks += chunk
    return bytes(chunks)


def _kstring(value: str) -> bytes:
    raw = value.encode()
    return struct.pack(">h", len(raw)) + raw


def _pick(ranges: dict[int, tuple[int, int]], api: int, lowest: int, highest: int) -> int | None:
    """The highest version of ``api`` in ``lowest..highest`` that the broker accepts."""
    if api not in ranges:
        return None
    low, high = ranges[api]
    version = max(lowest, min(highest, high))
    return version if low <= version <= high else None


def _probe(host: str, port: int, timeout_s: float, security: ClientSecurity | None = None) -> bool:
    """ApiVersions, [SASL], then Metadata: true when the broker lists at least one live broker."""
    with socket.create_connection((host, port), timeout=timeout_s) as raw:
        raw.settimeout(timeout_s)
        sock: socket.socket = raw
        if security is not None and security.tls:
            context = ssl.create_default_context(cafile=str(security.cafile) if security.cafile else None)
            sock = context.wrap_socket(raw, server_hostname=host)
        body = _request(sock, _API_VERSIONS, 0, 1, b"")
        error, count = struct.unpack(">hi", body[:6])
        if error != 0:
            return False
        ranges: dict[int, tuple[int, int]] = {}
        for i in range(count):
            key, low, high = struct.unpack(">hhh", body[6 + 6 * i : 12 + 6 * i])
            ranges[key] = (low, high)
        if security is not None and security.mechanism and not _authenticate(sock, ranges, security):
            return False
        # Versions 4-7 share one request layout (nullable topic array + auto-create flag) and
        # are accepted by every broker since Kafka 1.0, including 4.x which dropped v0-v3.
        version = _pick(ranges, _METADATA, 4, 7)
        if version is None:
            return False
        # An empty topic list asks for brokers and cluster id only (null would list topics).
        body = _request(sock, _METADATA, version, 2, struct.pack(">i?", 0, False))
        # throttle_time_ms (v3+), then the broker array: the broker lists itself only once it
        # is registered and unfenced, which is exactly "ready for clients".
        brokers = struct.unpack(">i", body[4:8])[0]
        return brokers > 0


def _authenticate(sock: socket.socket, ranges: dict[int, tuple[int, int]], security: ClientSecurity) -> bool:
    """SaslHandshake, then PLAIN or SCRAM (RFC 5802) over SaslAuthenticate; raises AuthenticationRejected."""
    handshake = _pick(ranges, _SASL_HANDSHAKE, 1, 1)
    authenticate = _pick(ranges, _SASL_AUTHENTICATE, 0, 1)
    digest = SCRAM_HASHES.get(security.mechanism)
    if handshake is None or authenticate is None or (digest is None and security.mechanism != "PLAIN"):
        return False
    body = _request(sock, _SASL_HANDSHAKE, handshake, 3, _kstring(security.mechanism))
    if struct.unpack(">h", body[:2])[0] != 0:
        raise AuthenticationRejected(f"the broker does not offer {security.mechanism}")

    def exchange(message: bytes, correlation: int) -> bytes:
        reply = _request(sock, _SASL_AUTHENTICATE, authenticate, correlation, struct.pack(">i", len(message)) + message)
        error, text_len = struct.unpack(">hh", reply[:4])
        text = reply[4 : 4 + text_len].decode("utf-8", "replace") if text_len > 0 else ""
        if error != 0:
            raise AuthenticationRejected(text or f"SASL error code {error}")
        offset = 4 + max(text_len, 0)
        size = struct.unpack(">i", reply[offset : offset + 4])[0]
        return reply[offset + 4 : offset + 4 + max(size, 0)]

    if digest is None:  # PLAIN: authzid NUL user NUL password; the answer is the verdict
        exchange(f"\0{security.username}\0{security.password.reveal()}".encode(), 4)
        return True
    nonce = base64.b64encode(secrets.token_bytes(24)).decode()
    user = security.username.replace("=", "=3D").replace(",", "=2C")
    first_bare = f"n={user},r={nonce}"
    server_first = exchange(f"n,,{first_bare}".encode(), 4).decode()
    fields = dict(part.split("=", 1) for part in server_first.split(","))
    if not fields.get("r", "").startswith(nonce) or "s" not in fields or "i" not in fields:
        raise AuthenticationRejected("unexpected SCRAM server message")
    salted = hashlib.pbkdf2_hmac(digest, security.password.reveal().encode(), base64.b64decode(fields["s"]),
                                 int(fields["i"]))
    final_bare = f"c=biws,r={fields['r']}"
    auth_message = f"{first_bare},{server_first},{final_bare}".encode()
    client_key = hmac.digest(salted, b"Client Key", digest)
    signature = hmac.digest(hashlib.new(digest, client_key).digest(), auth_message, digest)
    proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, signature, strict=True))).decode()
    server_final = exchange(f"{final_bare},p={proof}".encode(), 5).decode()
    expected = hmac.digest(hmac.digest(salted, b"Server Key", digest), auth_message, digest)
    if not server_final.startswith("v=") or not hmac.compare_digest(base64.b64decode(server_final[2:]), expected):
        raise AuthenticationRejected("the broker's SCRAM signature does not match")
    return True


def broker_answers(bootstrap: str, timeout_s: float = 3.0, security: ClientSecurity | None = None) -> bool:
    """Whether a Kafka broker answers a metadata request at the first bootstrap address.

    A listening port is not enough (a starting broker accepts connections before it can serve
    clients, and another program may hold the port), so this performs the same ApiVersions +
    Metadata exchange a client does on connect and requires the broker to list a live node.
    With ``security`` the exchange runs over TLS after a SCRAM login (a SASL_SSL listener).
    Never raises: any failure is ``False``.
    """
    try:
        return _probe_or_reject(bootstrap, timeout_s, security)
    except AuthenticationRejected:
        return False


def _probe_or_reject(bootstrap: str, timeout_s: float, security: ClientSecurity | None) -> bool:
    """:func:`broker_answers`, except that refused credentials raise AuthenticationRejected."""
    try:
        host, port = split_address(bootstrap)
    except BrokerError:
        return False
    try:
        return _probe(host, port, timeout_s, security)
    except (OSError, ValueError, struct.error):  # ssl.SSLError is an OSError
        return False


def connection_problem(bootstrap: str, security: ClientSecurity | None, timeout_s: float = 5.0) -> str | None:
    """Why a client configured with ``security`` cannot use the first bootstrap broker, or ``None``.

    One line naming the address and the cause a user can act on: nothing listens, the
    certificate is not trusted, the listener speaks TLS but the client does not (or the
    reverse), the login was refused. Never includes the password.
    """
    found = diagnose_connection(bootstrap, security, timeout_s)
    return None if found is None else found[1]


def diagnose_connection(bootstrap: str, security: ClientSecurity | None, timeout_s: float = 5.0) -> tuple[str, str] | None:
    """``(kind, message)`` for :func:`connection_problem`; ``kind`` is ``down`` (nothing answers),
    ``starting`` (answers, no live broker yet), ``mismatch`` (the client's protocol is not the
    listener's), ``tls`` (certificate not trusted) or ``auth`` (login refused)."""
    try:
        host, port = split_address(bootstrap)
    except BrokerError as exc:
        return "down", str(exc)
    address = _hostport(host, port)
    try:
        if _probe(host, port, timeout_s, security):
            return None
        return "starting", f"the Kafka broker at {address} answers but lists no live broker yet (still starting?)"
    except AuthenticationRejected as exc:
        assert security is not None
        return "auth", (
            f"the Kafka broker at {address} refused the {security.mechanism} login of user {security.username!r} "
            f"({exc}): check GEOTENSION_KAFKA_SASL_USERNAME and GEOTENSION_KAFKA_SASL_PASSWORD"
        )
    except ssl.SSLCertVerificationError as exc:
        trusted = f"the CA in {security.cafile}" if security and security.cafile else "the system CAs"
        return "tls", (
            f"TLS to {address}: the broker's certificate is not trusted by {trusted} ({exc.verify_message}): "
            f"set GEOTENSION_KAFKA_SSL_CAFILE to the CA that signed it"
        )
    except ssl.SSLError as exc:
        return "mismatch", (
            f"TLS to {address} failed ({exc.reason or exc}): is it a PLAINTEXT or SASL_PLAINTEXT listener? "
            f"check GEOTENSION_KAFKA_SECURITY_PROTOCOL"
        )
    except (ConnectionRefusedError, socket.gaierror, TimeoutError) as exc:
        return "down", f"no Kafka broker answers at {address} ({type(exc).__name__})"
    except (OSError, ValueError, struct.error) as exc:
        if (security is None or not security.tls) and _speaks_tls(host, port, timeout_s):
            return "mismatch", (
                f"the Kafka listener at {address} speaks TLS but kafka.security_protocol is "
                f"{'PLAINTEXT' if security is None else 'SASL_PLAINTEXT'}: set GEOTENSION_KAFKA_SECURITY_PROTOCOL "
                f"to SSL or SASL_SSL (and GEOTENSION_KAFKA_SSL_CAFILE)"
            )
        if security is None or not security.mechanism:
            return "down", (
                f"the Kafka broker at {address} closed the connection ({type(exc).__name__}): "
                f"does its listener require SASL? check GEOTENSION_KAFKA_SECURITY_PROTOCOL"
            )
        return "down", (
            f"the Kafka broker at {address} closed the connection during the {security.mechanism} login "
            f"({type(exc).__name__})"
        )


def _speaks_tls(host: str, port: int, timeout_s: float) -> bool:
    """Whether a TLS handshake (verifying nothing: only the protocol is in question) succeeds."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as raw:
            raw.settimeout(timeout_s)
            with context.wrap_socket(raw, server_hostname=host):
                return True
    except (OSError, ValueError):
        return False


def scram_credential(mechanism: str, password: str, iterations: int = 8192) -> tuple[str, str, int]:
    """``(salt, salted password)`` in base64 for ``kafka-storage format --add-scram``.

    The StorageTool accepts the salted form, so the password itself never appears on a
    command line (where ``ps`` would show it).
    """
    salt = secrets.token_bytes(32)
    salted = hashlib.pbkdf2_hmac(SCRAM_HASHES[mechanism], password.encode(), salt, iterations)
    return base64.b64encode(salt).decode(), base64.b64encode(salted).decode(), iterations


def port_is_free(host: str, port: int) -> bool:
    """Whether a server socket could bind ``host:port`` now (as the JVM would, SO_REUSEADDR)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


# --------------------------------------------------------------------------------------------
# The broker
# --------------------------------------------------------------------------------------------


class LocalBroker:
    """One local single-node KRaft broker: jars, a formatted data folder and a detached JVM."""

    def __init__(self, settings: Settings, instance_dir: Path | None = None, secure: bool | None = None) -> None:
        """``secure``: a SASL_SSL client listener (SCRAM); ``None`` follows ``kafka.security_protocol``."""
        self.settings = settings
        self.secure = settings.kafka.security_protocol == "SASL_SSL" if secure is None else secure
        self.version = settings.local_broker.version
        self.host, self.port = split_address(settings.kafka.bootstrap)
        if not is_loopback(self.host):
            raise BrokerError(
                f"the local broker only listens on a loopback address, but kafka.bootstrap is "
                f"{settings.kafka.bootstrap!r}: use 127.0.0.1:<port>, or point GEOTENSION_BOOTSTRAP at your own broker "
                f"and do not start a local one"
            )
        self.address = _hostport(self.host, self.port)
        self.controller_port = settings.local_broker.controller_port
        if self.controller_port == self.port:
            raise BrokerError(
                f"local_broker.controller_port {self.controller_port} equals the client port of {self.address}: "
                f"choose another controller port"
            )
        if re.fullmatch(r"[0-9]+[kKmMgG]", settings.local_broker.heap) is None:
            raise BrokerError(
                f"local_broker.heap {settings.local_broker.heap!r}: expected a JVM size such as 512m or 1g"
            )
        self.home = settings.path(settings.local_broker.home)
        self.libs_dir = self.home / f"libs-{self.version}"
        self.instance_dir = (instance_dir if instance_dir is not None else self.home / f"node-{self.port}").resolve()
        self.data_dir = self.instance_dir / "data"
        self.logs_dir = self.instance_dir / "logs"
        self.log_file = self.logs_dir / "server.log"
        self.stdout_file = self.logs_dir / "stdout.log"
        self.pid_file = self.instance_dir / "broker.pid"
        self.properties_file = self.instance_dir / "server.properties"
        self.cluster_id_file = self.instance_dir / "cluster.id"
        # SASL_SSL only: a test CA and the broker's certificate, made on the first secure start.
        self.tls_dir = self.instance_dir / "tls"
        self.ca_file = self.tls_dir / "ca.pem"
        self.keystore_file = self.tls_dir / "broker.p12"
        self.secrets_file = self.tls_dir / "broker.secrets"
        #: ``<mechanism> <user>`` per line: the SCRAM users the data folder was formatted with.
        self.scram_users_file = self.instance_dir / "scram-users"
        self.mechanism = settings.kafka.sasl_mechanism or "SCRAM-SHA-512"
        # Kept when this object started the JVM, so its exit status can be collected
        # (otherwise a stopped child lingers as a zombie that still "exists").
        self._process: subprocess.Popen[bytes] | None = None

    # ---------------------------------------------------------------- public API

    def status(self) -> BrokerStatus:
        """Whether this instance's broker runs (its process is alive and answers)."""
        pid = self._live_pid()
        running = pid is not None and broker_answers(self.address, security=self.client_security())
        return self._status(running, pid)

    def client_security(self) -> ClientSecurity | None:
        """What a client needs to reach the SASL_SSL listener (the settings' user), or ``None``."""
        if not self.secure:
            return None
        kafka = self.settings.kafka
        return ClientSecurity(True, self.ca_file, self.mechanism, kafka.sasl_username, kafka.sasl_password)

    def ensure_jars(self) -> Path:
        """The folder of the broker's jars, fetched with Maven if missing or incomplete."""
        jar = self.libs_dir / f"kafka_2.13-{self.version}.jar"
        if (self.libs_dir / _LIBS_MARKER).is_file() and jar.is_file():
            return self.libs_dir
        mvn = shutil.which("mvn")
        if mvn is None:
            raise BrokerError(
                f"the Kafka {self.version} jars are not in {self.libs_dir} and `mvn` is not on PATH: "
                f"install Maven (it fetches them from Maven Central with {self._resource(_POM)})"
            )
        pom = self._resource(_POM)
        self.home.mkdir(parents=True, exist_ok=True)
        with _file_lock(self.home / f".libs-{self.version}.lock"):
            if (self.libs_dir / _LIBS_MARKER).is_file() and jar.is_file():
                return self.libs_dir  # another process fetched them while we waited
            partial = self.home / f"libs-{self.version}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            command = [
                mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
                "-DincludeScope=runtime", f"-DoutputDirectory={partial}",
                # The pom pins the same version; passing it keeps the two from drifting apart.
                f"-Dkafka.version={self.version}",
            ]  # fmt: skip
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
            except subprocess.TimeoutExpired:
                raise BrokerError(
                    f"fetching the Kafka {self.version} jars with mvn took over 15 minutes ({pom})"
                ) from None
            if done.returncode != 0:
                raise BrokerError(
                    f"mvn could not fetch the Kafka {self.version} jars ({pom}): {_last_line(done.stdout + done.stderr, '[ERROR]')}"
                )
            if not (partial / jar.name).is_file():
                raise BrokerError(f"mvn finished but {jar.name} is not among the fetched jars in {partial}")
            shutil.rmtree(self.libs_dir, ignore_errors=True)
            partial.rename(self.libs_dir)
            (self.libs_dir / _LIBS_MARKER).write_text(f"kafka {self.version}\n", encoding="utf-8")
        return self.libs_dir

    def start(self) -> tuple[BrokerStatus, bool]:
        """Start the broker unless it already runs; ``(status, started_now)``.

        Raises :class:`BrokerError` (one line, naming the address and the log) when Java or
        Maven is missing, the port belongs to another program, or the broker does not come up
        within ``local_broker.start_timeout_s``.
        """
        timeout_s = self.settings.local_broker.start_timeout_s
        pid = self._live_pid()
        if pid is not None:
            # Ours is alive: either running, or still starting (another `start` is waiting).
            if self._wait_ready(pid, timeout_s, process=None):
                return self._status(True, pid), False
            raise BrokerError(
                f"the broker started from {self.instance_dir} (pid {pid}) runs but does not answer at {self.address} "
                f"after {timeout_s:.0f}s; see {self.log_file} or stop it with `geotension broker stop`"
                + self._log_hint(0)
            )
        self.pid_file.unlink(missing_ok=True)  # stale: its process is gone (or is not ours)

        java = self._java()
        if self.secure:
            self._check_credentials()
        libs = self.ensure_jars()
        self._check_ports()
        for folder in (self.data_dir, self.logs_dir):
            folder.mkdir(parents=True, exist_ok=True)
        if self.secure:
            self._ensure_tls(java)
        self._write_private(self.properties_file, self._properties())
        self._format(java, libs)

        log_offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        with open(self.stdout_file, "ab") as out:
            out.write(f"\n{_RUN_MARKER} {time.strftime('%Y-%m-%d %H:%M:%S')} ---\n".encode())
            out.flush()
            process = subprocess.Popen(
                [java, *self._jvm_options(), "-cp", f"{libs}{os.sep}*", BROKER_MAIN, str(self.properties_file)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.instance_dir,
                # A new session: the broker outlives the CLI and ignores the terminal's Ctrl-C.
                start_new_session=True,
            )
        self._process = process
        self.pid_file.write_text(f"{process.pid}\n", encoding="utf-8")
        try:
            ready = self._wait_ready(process.pid, timeout_s, process=process)
        except BrokerError:
            self.stop(timeout_s=10)  # it runs, but clients could not log in: not a usable start
            raise
        if ready:
            return self._status(True, process.pid), True

        if process.poll() is not None:
            self.pid_file.unlink(missing_ok=True)
            raise BrokerError(
                f"the Kafka broker for {self.address} exited during start (code {process.returncode}); "
                f"see {self.log_file}" + self._log_hint(log_offset)
            )
        # Do not leave a half-started JVM holding the ports.
        self.stop(timeout_s=10)
        raise BrokerError(
            f"the Kafka broker did not answer at {self.address} within {timeout_s:.0f}s and was stopped; "
            f"see {self.log_file}" + self._log_hint(log_offset)
        )

    def stop(self, timeout_s: float = 30.0) -> bool:
        """Stop this instance's broker; ``False`` when none was running.

        SIGTERM lets Kafka shut down cleanly (it flushes logs and closes the metadata log, so
        the next start needs no recovery); SIGKILL only after ``timeout_s``. Returns once the
        process is gone and the client port can be bound again.
        """
        pid = self._live_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not self._wait_exit(pid, timeout_s):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            if not self._wait_exit(pid, 10.0):
                raise BrokerError(f"the broker (pid {pid}) did not exit after SIGKILL; see {self.log_file}")
        self.pid_file.unlink(missing_ok=True)
        self._process = None
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            if port_is_free(self.host, self.port) and port_is_free(self.host, self.controller_port):
                break
            time.sleep(0.1)
        return True

    # ---------------------------------------------------------------- internals

    def _status(self, running: bool, pid: int | None) -> BrokerStatus:
        return BrokerStatus(
            running=running,
            version=self.version,
            address=self.address,
            pid=pid if running else None,
            data_dir=self.data_dir,
            log_file=self.log_file,
            security_protocol="SASL_SSL" if self.secure else "PLAINTEXT",
            ca_file=self.ca_file if self.secure else None,
        )

    def _resource(self, relative: str) -> Path:
        """A file of ``tools/kafka``: in the project root, else beside the package."""
        own = resource_dir("tools/kafka") / Path(relative).relative_to("tools/kafka")
        for candidate in (self.settings.path(relative), own):
            if candidate.is_file():
                return candidate
        raise BrokerError(f"{relative} not found in {self.settings.root} or {own.parent}")

    def _java(self) -> str:
        java_home = os.environ.get("JAVA_HOME")
        if java_home and (Path(java_home) / "bin" / "java").is_file():
            return str(Path(java_home) / "bin" / "java")
        found = shutil.which("java")
        if found is None:
            raise BrokerError(
                "`java` is not on PATH (nor in $JAVA_HOME/bin): the local Kafka broker needs Java 17 or newer, "
                "e.g. `apt-get install openjdk-17-jre-headless`"
            )
        return found

    def _check_ports(self) -> None:
        for port, role in ((self.port, "client"), (self.controller_port, "controller")):
            if port_is_free(self.host, port):
                continue
            where = _hostport(self.host, port)
            if port == self.port and (
                broker_answers(self.address, timeout_s=2.0)
                or (self.secure and self.ca_file.is_file() and broker_answers(self.address, 2.0, self.client_security()))
            ):
                raise BrokerError(
                    f"another Kafka broker (not started from {self.instance_dir}) already answers at {where}: "
                    f"use it with GEOTENSION_BOOTSTRAP={where}, or stop it first"
                )
            setting = "GEOTENSION_KAFKA_BOOTSTRAP" if role == "client" else "GEOTENSION_LOCAL_BROKER_CONTROLLER_PORT"
            raise BrokerError(
                f"{where} (the local broker's {role} port) is in use by another program: free it or choose another port with {setting}"
            )

    def _cluster_id(self) -> str:
        """The stored cluster id, or a new one in Kafka's format (base64url of a random UUID)."""
        if self.cluster_id_file.is_file():
            stored = self.cluster_id_file.read_text(encoding="utf-8").strip()
            if stored:
                return stored
        while True:
            value = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
            if not value.startswith("-"):  # Kafka rejects ids that look like an option
                break
        self.cluster_id_file.write_text(value + "\n", encoding="utf-8")
        return value

    def _format(self, java: str, libs: Path) -> None:
        """Format the data folder once (a formatted folder has ``meta.properties``)."""
        if (self.data_dir / "meta.properties").is_file():
            if self.secure:
                self._check_scram_user()
            return
        command = [
            java, "-Xmx256m", f"-Dlog4j2.configurationFile={self._resource(_LOG4J)}",
            f"-Dkafka.logs.dir={self.logs_dir}", "-cp", f"{libs}{os.sep}*", STORAGE_TOOL, "format",
            "-t", self._cluster_id(), "-c", str(self.properties_file), "--standalone", "--ignore-formatted",
        ]  # fmt: skip
        users: list[str] = []
        if self.secure:
            # SCRAM users live in the metadata log: the format step writes them. The salted
            # form keeps the password itself off the command line.
            kafka = self.settings.kafka
            internal = self._secrets()["internal"]
            for name, password in ((kafka.sasl_username, kafka.sasl_password.reveal()), (_INTERNAL_USER, internal)):
                salt, salted, iterations = scram_credential(self.mechanism, password)
                command += ["--add-scram", f'{self.mechanism}=[name={name},iterations={iterations},'
                                           f'salt="{salt}",saltedpassword="{salted}"]']
                users.append(f"{self.mechanism} {name}")
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise BrokerError(
                f"formatting {self.data_dir} failed (kafka.tools.StorageTool, code {done.returncode}): "
                f"{_last_line(done.stdout + done.stderr)}"
            )
        self.scram_users_file.write_text("".join(f"{line}\n" for line in users), encoding="utf-8")

    def _check_credentials(self) -> None:
        kafka = self.settings.kafka
        if self.mechanism not in SCRAM_HASHES:
            raise BrokerError(
                f"kafka.sasl_mechanism {self.mechanism!r}: the local SASL_SSL broker supports "
                f"{' and '.join(SCRAM_HASHES)}"
            )
        if not kafka.sasl_username or not kafka.sasl_password.reveal():
            raise BrokerError(
                "a SASL_SSL local broker creates its SCRAM user from the client settings: set "
                "GEOTENSION_KAFKA_SASL_USERNAME and GEOTENSION_KAFKA_SASL_PASSWORD"
            )
        if not re.fullmatch(r"[A-Za-z0-9._-]+", kafka.sasl_username) or kafka.sasl_username == _INTERNAL_USER:
            raise BrokerError(
                f"kafka.sasl_username {kafka.sasl_username!r}: the local broker accepts letters, digits, "
                f"'.', '_' and '-' (and not the reserved {_INTERNAL_USER!r})"
            )

    def _check_scram_user(self) -> None:
        """A formatted data folder knows only the SCRAM users it was formatted with."""
        wanted = f"{self.mechanism} {self.settings.kafka.sasl_username}"
        with contextlib.suppress(OSError):
            if wanted in self.scram_users_file.read_text(encoding="utf-8").splitlines():
                return
        raise BrokerError(
            f"{self.data_dir} was formatted without the {self.mechanism} user "
            f"{self.settings.kafka.sasl_username!r} (SCRAM users are created when a data folder is formatted): "
            f"delete {self.instance_dir} to start afresh, or use another port"
        )

    def _secrets(self) -> dict[str, str]:
        """Random passwords of this instance: keystores and the broker's own SCRAM user."""
        values: dict[str, str] = {}
        with contextlib.suppress(OSError):
            for line in self.secrets_file.read_text(encoding="utf-8").splitlines():
                key, _, value = line.partition("=")
                values[key] = value
        if not {"store", "internal"} <= values.keys():
            values = {"store": secrets.token_urlsafe(24), "internal": secrets.token_urlsafe(24)}
            self.tls_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._write_private(self.secrets_file, "".join(f"{k}={v}\n" for k, v in values.items()))
        return values

    def _ensure_tls(self, java: str) -> None:
        """A test CA (``tls/ca.pem``) and a broker key + certificate signed by it (``tls/broker.p12``).

        Made once with the JDK's keytool (present wherever the broker runs); the certificate
        names 127.0.0.1 and localhost, the only addresses the local broker listens on.
        """
        if self.ca_file.is_file() and self.keystore_file.is_file():
            return
        keytool = Path(java).resolve().parent / "keytool"
        tool = str(keytool) if keytool.is_file() else shutil.which("keytool")
        if tool is None:
            raise BrokerError("`keytool` (part of the JDK) is not beside java nor on PATH: it makes the broker's TLS certificate")
        self.tls_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        store = self._secrets()["store"]
        ca_store, csr, signed = self.tls_dir / "ca.p12", self.tls_dir / "broker.csr", self.tls_dir / "broker.pem"
        partial = self.tls_dir / "broker.p12.partial"
        for stale in (ca_store, csr, signed, partial, self.ca_file):
            stale.unlink(missing_ok=True)
        fast = ["-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"]  # short-lived JVMs: halves the time
        key = ["-keyalg", "EC", "-groupname", "secp256r1"]
        steps: list[list[str | Path]] = [
            ["-genkeypair", "-alias", "ca", *key, "-dname", "CN=geotension local test CA", "-ext", "bc:c=ca:true",
             "-ext", "ku:c=keyCertSign,cRLSign", "-validity", "3650", "-keystore", ca_store, "-storetype", "PKCS12",
             "-storepass", store, "-keypass", store],
            ["-exportcert", "-rfc", "-alias", "ca", "-keystore", ca_store, "-storepass", store,
             "-file", self.tls_dir / "ca.pem.partial"],
            ["-genkeypair", "-alias", "broker", *key, "-dname", "CN=localhost", "-validity", "825",
             "-keystore", partial, "-storetype", "PKCS12", "-storepass", store, "-keypass", store],
            ["-certreq", "-alias", "broker", "-keystore", partial, "-storepass", store, "-file", csr],
            ["-gencert", "-rfc", "-alias", "ca", "-keystore", ca_store, "-storepass", store, "-infile", csr,
             "-outfile", signed, "-ext", "SAN=ip:127.0.0.1,ip:::1,dns:localhost", "-ext", "ku:c=digitalSignature",
             "-ext", "eku=serverAuth", "-validity", "825"],
        ]  # fmt: skip
        chain = self.tls_dir / "chain.pem"
        for step in steps:
            self._keytool(tool, fast, step)
            if step[0] == "-gencert":
                chain.write_bytes(signed.read_bytes() + (self.tls_dir / "ca.pem.partial").read_bytes())
        self._keytool(tool, fast, ["-importcert", "-noprompt", "-alias", "broker", "-file", chain,
                                   "-keystore", partial, "-storepass", store])  # fmt: skip
        for leftover in (csr, signed, chain):
            leftover.unlink(missing_ok=True)
        partial.rename(self.keystore_file)
        (self.tls_dir / "ca.pem.partial").rename(self.ca_file)

    def _keytool(self, tool: str, fast: list[str], args: list[str | Path]) -> None:
        done = subprocess.run([tool, *fast, *map(str, args)], capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise BrokerError(
                f"keytool {args[0]} failed making the broker's TLS certificate in {self.tls_dir} "
                f"(code {done.returncode}): {_last_line(done.stdout + done.stderr)}"
            )

    @staticmethod
    def _write_private(path: Path, text: str) -> None:
        """Write a file only its owner can read (server.properties holds the keystore password)."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)

    def _properties(self) -> str:
        """``server.properties`` for one node that is both broker and controller."""
        listen = _hostport(self.host, self.port)
        control = _hostport(self.host, self.controller_port)
        lines = [
            "# Generated by `geotension broker start` on every start; edit the settings, not this file.",
            "process.roles=broker,controller",
            "node.id=1",
            # Dynamic quorum of one, formatted with --standalone.
            f"controller.quorum.bootstrap.servers={control}",
            *(self._secure_listener(listen) if self.secure else [
                f"listeners=PLAINTEXT://{listen},CONTROLLER://{control}",
                f"advertised.listeners=PLAINTEXT://{listen}",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            ]),
            "controller.listener.names=CONTROLLER",
            f"log.dirs={self.data_dir}",
            "num.partitions=1",
            "auto.create.topics.enable=true",
            # Records carry their event time, often years back; the 7-day default would delete
            # replayed history at the next retention check (every 5 minutes), topics made by
            # hand or auto-created included. The pipeline's topics set retention.ms themselves.
            "log.retention.ms=-1",
            # One node: every internal topic must live with a single replica.
            "default.replication.factor=1",
            "min.insync.replicas=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            # 50 partitions (the default) would be created on the first transaction: slow, useless here.
            "transaction.state.log.num.partitions=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            # Consumers (faust workers, tests) join at once instead of waiting 3 s for peers.
            "group.initial.rebalance.delay.ms=0",
            # faust changelog topics are compacted; the cleaner must run.
            "log.cleaner.enable=true",
            "log.cleaner.threads=1",
            # The default 128 MB dedupe buffer is a quarter of the heap; 32 MB suffices here.
            "log.cleaner.dedupe.buffer.size=33554432",
            # Small thread pools: a development machine may have two cores.
            "num.network.threads=2",
            "num.io.threads=2",
            "num.recovery.threads.per.data.dir=1",
            "background.threads=2",
        ]
        return "\n".join(lines) + "\n"

    def _secure_listener(self, listen: str) -> list[str]:
        """The client listener as SASL_SSL with SCRAM; the controller listener stays PLAINTEXT.

        The broker is its own inter-broker peer on that listener (one node never connects to
        itself, but Kafka requires the client side configured), logging in as an internal user.
        """
        control = _hostport(self.host, self.controller_port)
        secret = self._secrets()
        mech = self.mechanism.lower()
        return [
            f"listeners=SASL_SSL://{listen},CONTROLLER://{control}",
            f"advertised.listeners=SASL_SSL://{listen}",
            "inter.broker.listener.name=SASL_SSL",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL",
            f"sasl.enabled.mechanisms={self.mechanism}",
            f"sasl.mechanism.inter.broker.protocol={self.mechanism}",
            f"listener.name.sasl_ssl.{mech}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
            f'required username="{_INTERNAL_USER}" password="{secret["internal"]}";',
            "ssl.keystore.type=PKCS12",
            f"ssl.keystore.location={self.keystore_file}",
            f"ssl.keystore.password={secret['store']}",
            f"ssl.key.password={secret['store']}",
            "ssl.truststore.type=PEM",
            f"ssl.truststore.location={self.ca_file}",
            "ssl.client.auth=none",
        ]

    def _jvm_options(self) -> list[str]:
        heap = self.settings.local_broker.heap
        return [
            f"-Xms{_initial_heap(heap)}",
            f"-Xmx{heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            # Die rather than limp on: a broker out of memory answers nothing useful.
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self._resource(_LOG4J)}",
            f"-Dkafka.logs.dir={self.logs_dir}",
        ]

    def _live_pid(self) -> int | None:
        """The pid in ``broker.pid`` if that process is alive and is this instance's broker."""
        try:
            pid = int(self.pid_file.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None
        return pid if _is_our_broker(pid, self.properties_file) else None

    def _wait_ready(self, pid: int, timeout_s: float, process: subprocess.Popen[bytes] | None) -> bool:
        """Whether the broker answers within ``timeout_s``; BrokerError when it keeps refusing our login."""
        deadline = time.monotonic() + timeout_s
        rejected_since: float | None = None
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                return False
            if process is None and not _is_our_broker(pid, self.properties_file):
                return False
            try:
                if _probe_or_reject(self.address, 2.0, self.client_security()):
                    return True
                rejected_since = None
            except AuthenticationRejected as exc:
                # Credentials are loaded before the listener opens, so a refusal is not a
                # startup race; a few seconds of grace all the same.
                rejected_since = rejected_since or time.monotonic()
                if time.monotonic() - rejected_since >= 5.0:
                    raise BrokerError(
                        f"the broker at {self.address} refuses the {self.mechanism} login of user "
                        f"{self.settings.kafka.sasl_username!r} ({exc}): its data folder {self.data_dir} was "
                        f"formatted with another password; restore it, or delete {self.instance_dir} to start afresh"
                    ) from None
            time.sleep(0.25)
        return False

    def _wait_exit(self, pid: int, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process is not None and self._process.pid == pid:
                if self._process.poll() is not None:
                    return True
            elif not _pid_alive(pid):
                return True
            time.sleep(0.1)
        return False

    def _log_hint(self, offset: int) -> str:
        """``: <the reason>`` from this start's part of the logs, or nothing.

        The broker's log names the cause of most failures on its last ERROR line; when the
        JVM dies before logging starts (bad option, missing class) only its stdout has it.
        """
        with contextlib.suppress(OSError):
            with open(self.log_file, "rb") as handle:
                handle.seek(offset)
                line = _last_error(handle.read().decode("utf-8", "replace"))
            if line:
                return f": {line}"
        with contextlib.suppress(OSError):
            text = self.stdout_file.read_text(encoding="utf-8", errors="replace")
            run = text.rsplit(_RUN_MARKER, 1)[-1].splitlines()[1:]
            first = next((line.strip() for line in run if line.strip()), "")
            if first:
                return f" (JVM output in {self.stdout_file}: {first[:300]})"
        return ""


# --------------------------------------------------------------------------------------------
# Process, log and lock utilities
# --------------------------------------------------------------------------------------------


def _initial_heap(heap: str) -> str:
    """Half the maximum heap, at most 256m: the broker grows into it only under load."""
    units = {"k": 1 / 1024, "m": 1, "g": 1024}
    try:
        megabytes = float(heap[:-1]) * units[heap[-1].lower()]
    except (KeyError, ValueError, IndexError):
        return heap
    return f"{max(16, min(256, int(megabytes // 2)))}m"


def _pid_alive(pid: int) -> bool:
    """Alive and not a zombie (a zombie still "exists" for ``kill -0``)."""
    with contextlib.suppress(ChildProcessError):
        reaped, _ = os.waitpid(pid, os.WNOHANG)  # collects our own exited child, if it is one
        if reaped == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError, IndexError):
        if stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def _is_our_broker(pid: int, properties_file: Path) -> bool:
    """Guards against a reused pid: the process must run kafka.Kafka on this instance's file."""
    if not _pid_alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.parent.exists():
        return sys.platform != "linux"  # no /proc (macOS): trust the pid file
    try:
        args = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    return BROKER_MAIN.encode() in args and str(properties_file).encode() in args


def _last_line(text: str, marker: str = "") -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if marker:
        marked = [line for line in lines if marker in line]
        lines = marked or lines
    return lines[-1][:400] if lines else "no output"


def _last_error(text: str) -> str:
    """The last ERROR line of a Kafka log, with the exception message that follows it."""
    lines = text.splitlines()
    for index in range(len(lines) - 1, -1, -1):
        if " ERROR " in lines[index] or lines[index].startswith("Error:") or "Exception in thread" in lines[index]:
            found = lines[index].strip()
            for follow in lines[index + 1 : index + 4]:
                if "Exception" in follow or "Error" in follow:
                    found += " | " + follow.strip()
                    break
            return found[:500]
    return ""


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock across processes (two test sessions may fetch jars at once)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock, a double fetch is only slow
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
