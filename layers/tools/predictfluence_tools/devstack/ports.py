"""Port checks that give a clear message instead of a bind traceback."""

from __future__ import annotations

import socket


class PortInUse(RuntimeError):
    pass


def ensure_free(host: str, port: int, what: str, env_var: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise PortInUse(
                f"port {port} on {host} is already in use, so the {what} cannot start. "
                f"Stop the process using it or choose another port: {env_var}=<port> (or the matching --option)."
            ) from exc


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]
