"""Ray for a batch: start a local cluster, or join a running one, failing in seconds when it is not there.

Without an address a batch starts its own local cluster (``ray.init(address="local")``, so a
cluster someone else started with ``ray start`` on this machine is never used by surprise) and
stops it at the end. With ``--address HOST:PORT`` (or ``auto``: the one ``ray start --head``
started on this machine) it joins that cluster and leaves it running.

Ray itself waits a minute or more for an address where nothing answers; a person typing a
wrong address should hear so in seconds. So the address is first checked with a plain TCP
connection (refused, unknown host and silence all fail here), and Ray's own connection attempts
are capped to a few seconds. A TCP connection is not enough (a proxy or any other server
accepts one), so the head is then asked for its cluster id over gRPC with a deadline: any
answer, even "unauthenticated", means a Ray head listens there.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from fitness.errors import FitnessError

log = logging.getLogger(__name__)

AUTO: Final = "auto"
CONNECT_TIMEOUT_S: Final = 3.0
# Ray's own connection budget when joining an address (its defaults wait 60 s and more).
RAY_CONNECT_ENV: Final = {
    "RAY_gcs_server_port_wait_time_s": "3",
    "RAY_py_gcs_connect_timeout_s": "3",
    "RAY_gcs_rpc_server_connect_timeout_s": "3",
}
# Any answer to this call, even "unauthenticated", says a Ray head (its GCS) listens there.
GCS_PROBE: Final = "/ray.rpc.NodeInfoGcsService/GetClusterId"
START_HINT: Final = "start one with 'ray start --head', or leave out --address for a local one"
# Ray's loggers that speak at start-up; the batch's own progress bar says what matters.
RAY_LOGGERS: Final = ("ray", "ray._private.authentication.authentication_token_setup")


class ClusterError(FitnessError):
    """The Ray cluster cannot be started or joined."""


@dataclass(frozen=True, slots=True)
class Cluster:
    """The cluster a batch runs on: where it is, whether this batch started it, its CPUs and nodes."""

    address: str
    local: bool
    cpus: int
    nodes: int


def parse_address(address: str) -> tuple[str, int]:
    """``HOST:PORT`` (IPv6 in brackets) -> (host, port), or a one-line :class:`ClusterError`."""
    host, sep, port_text = address.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ClusterError(f"--address must be auto or HOST:PORT (like 10.0.0.5:6379), got {address!r}")
    return host, int(port_text)


def check_reachable(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Fail in at most ``timeout_s`` when nothing accepts connections at ``address``."""
    host, port = parse_address(address)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return
    except socket.gaierror:
        reason = f"unknown host {host}"
    except TimeoutError:
        reason = f"no answer within {timeout_s:g} s"
    except ConnectionRefusedError:
        reason = "connection refused"
    except OSError as exc:
        reason = exc.strerror or str(exc)
    raise ClusterError(f"cannot reach the Ray cluster at {address}: {reason} ({START_HINT})")


def _quiet_ray(verbose: bool) -> int:
    level = logging.INFO if verbose else logging.ERROR
    for name in RAY_LOGGERS:
        logging.getLogger(name).setLevel(level)
    return level


def _ray_error(address: str, exc: BaseException) -> ClusterError:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "version" in text.lower():
        return ClusterError(
            f"the Ray cluster at {address} runs another Ray or Python version than this machine: {text[:200]}"
        )
    return ClusterError(f"cannot join the Ray cluster at {address}: {text[:200]}")


def _start_local(cpus: int, level: int, verbose: bool) -> None:
    import ray

    try:
        # Token authentication stays on (Ray's default for a new local cluster); only its
        # start-up warning is silenced (_quiet_ray).
        ray.init(address="local", num_cpus=cpus, include_dashboard=False, logging_level=level, log_to_driver=verbose)
    except (RuntimeError, ConnectionError, OSError, ValueError) as exc:
        raise ClusterError(f"cannot start a local Ray cluster: {' '.join(str(exc).split())[:200]}") from None


def _token_available() -> bool:
    """Whether this machine holds a Ray authentication token (Ray's own three places)."""
    if os.environ.get("RAY_AUTH_TOKEN", "").strip():
        return True
    path = os.environ.get("RAY_AUTH_TOKEN_PATH", "").strip()
    return Path(path).expanduser().is_file() if path else (Path.home() / ".ray" / "auth_token").is_file()


def probe_gcs(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> bool:
    """Ask the Ray head at ``address`` for its cluster id, with a deadline; True when it wants
    an authentication token. Raises :class:`ClusterError` when no Ray answers there."""
    import grpc

    channel = grpc.insecure_channel(address)
    try:
        channel.unary_unary(GCS_PROBE)(b"", timeout=timeout_s)
        return False
    except grpc.RpcError as exc:
        code = exc.code()
        if code == grpc.StatusCode.UNAUTHENTICATED:
            return True
        detail = " ".join((exc.details() or "").split())[:120]
        if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            raise ClusterError(
                f"cannot reach the Ray cluster at {address}: {detail or 'no answer'} ({START_HINT})"
            ) from None
        raise ClusterError(f"something answers at {address}, but not a Ray cluster: {detail} ({START_HINT})") from None
    finally:
        channel.close()


def _join(address: str, level: int, verbose: bool) -> None:
    import ray

    if address != AUTO:
        check_reachable(address)
        if probe_gcs(address) and not (os.environ.get("RAY_AUTH_MODE") == "token" and _token_available()):
            # Ray sends a token to an address typed by hand only when told to (a token is a
            # password: it should not go to whatever host a typo names), so the person says so.
            raise ClusterError(
                f"the Ray cluster at {address} requires token authentication: set RAY_AUTH_MODE=token and "
                "give this machine the head node's token (~/.ray/auth_token, RAY_AUTH_TOKEN or RAY_AUTH_TOKEN_PATH)"
            )
    for key, value in RAY_CONNECT_ENV.items():
        # Read by Ray when it connects; a value the person set stays.
        os.environ.setdefault(key, value)
    try:
        ray.init(address=address, logging_level=level, log_to_driver=verbose)
    except (RuntimeError, ConnectionError, OSError, ValueError) as exc:
        if address == AUTO:
            raise ClusterError(f"--address auto found no running Ray cluster on this machine ({START_HINT})") from None
        raise _ray_error(address, exc) from None


@contextmanager
def ray_cluster(address: str | None, workers: int | None, *, verbose: bool = False) -> Iterator[Cluster]:
    """A Ray cluster for the duration: a new local one with ``workers`` CPUs (default: this
    machine's usable cores) when ``address`` is None, else the running one at ``address``."""
    import ray

    if ray.is_initialized():
        raise ClusterError("Ray is already initialised in this process; a batch connects on its own")
    level = _quiet_ray(verbose)
    if address is None:
        _start_local(workers or len(os.sched_getaffinity(0)), level, verbose)
    else:
        _join(address, level, verbose)
    try:
        resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
        nodes: list[dict[str, Any]] = ray.nodes()  # type: ignore[no-untyped-call]
        found = Cluster(
            address=ray.get_runtime_context().gcs_address,
            local=address is None,
            cpus=int(resources.get("CPU", 0)),
            nodes=len([n for n in nodes if n.get("Alive")]),
        )
        log.info("Ray cluster at %s: %d CPU(s) on %d node(s)", found.address, found.cpus, found.nodes)
        yield found
    finally:
        # Disconnects from a joined cluster (its workers of this job end); stops a local one.
        ray.shutdown()
