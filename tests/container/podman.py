"""Podman for the container tests: the options a sandboxed root needs, a Debian base made from
packages (no registry is reached), and images built on it once and kept by tag.

- `Podman`: runs `podman` (and `podman-compose`) with a containers.conf of its own: runc when it is
  installed (crun refuses the hybrid cgroup hierarchy of some hosts), open-file and process limits
  of 4096 (podman's defaults for root are higher than a root without CAP_SYS_RESOURCE, as in a
  container, may set), and an events log in a file (no journald needed).
- `base_image`: a Debian bookworm root file system from debootstrap (python3, python3-venv,
  ca-certificates, plus the host's certificate bundle so that builds work behind an intercepting
  proxy), imported as an image. Its tag names the recipe, so a later run reuses it: the first run
  costs a minute or so, later ones nothing.
- `build`: an image from a Containerfile on that base, cached the same way by a hash of its inputs;
  a new build removes the earlier ones of its name.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE_NAME = "bastion-test-base"
SUITE = "bookworm"
BASE_PACKAGES = ("python3", "python3-venv", "ca-certificates")
DEBIAN_MIRROR = "http://deb.debian.org/debian"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# podman's limits for a root container are above what a root without CAP_SYS_RESOURCE may set.
OPEN_FILES = 4096
PROCESSES = 4096
BUILD_TIMEOUT_S = 900


def unavailable(reason: str) -> NoReturn:
    """Skip the test with `reason`, or fail it when `CI=true`."""
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{reason}; CI=true: the container tests must run", pytrace=False)
    pytest.skip(reason)


def require(program: str) -> str:
    """The path of `program`; skip the test when it is missing, or fail it when `CI=true`."""
    path = shutil.which(program)
    if path is None:
        unavailable(f"{program} is not installed (.ci/run installs it)")
    return path


def _containers_conf(directory: Path) -> Path:
    lines = [
        "[containers]",
        f'default_ulimits = ["nofile={OPEN_FILES}:{OPEN_FILES}", "nproc={PROCESSES}:{PROCESSES}"]',
        "[engine]",
        'events_logger = "file"',
        'cgroup_manager = "cgroupfs"',
    ]
    if shutil.which("runc"):
        lines.append('runtime = "runc"')
    path = directory / "containers.conf"
    path.write_text("\n".join(lines) + "\n")
    return path


class Podman:
    """`podman` with the options of this module, for one test session."""

    def __init__(self, executable: str, directory: Path) -> None:
        self.executable = executable
        self.environ = {**os.environ, "CONTAINERS_CONF": str(_containers_conf(directory))}

    def run(
        self, *args: str, check: bool = True, timeout: float = 120, input_text: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.command([self.executable, *args], check=check, timeout=timeout, input_text=input_text)

    def command(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        timeout: float = 120,
        input_text: str | None = None,
        environ: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            list(argv),
            env={**self.environ, **(environ or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input_text,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def image_exists(self, tag: str) -> bool:
        return self.run("image", "exists", tag, check=False).returncode == 0


def _digest(*parts: bytes) -> str:
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:12]


def base_image(podman: Podman) -> str:
    """The tag of the local Debian base, made with debootstrap unless an earlier run made it."""
    recipe = " ".join([SUITE, *BASE_PACKAGES]).encode()
    tag = f"localhost/{BASE_NAME}:{SUITE}-{_digest(recipe)}"
    if podman.image_exists(tag):
        return tag
    debootstrap = require("debootstrap")
    if os.geteuid() != 0:
        unavailable(f"making the base image {tag} with debootstrap needs root")
    with tempfile.TemporaryDirectory(prefix="bastion-base-", dir="/var/tmp") as directory:
        rootfs = Path(directory) / "rootfs"
        podman.command(
            [
                debootstrap,
                "--variant=minbase",
                f"--include={','.join(BASE_PACKAGES)}",
                SUITE,
                str(rootfs),
                DEBIAN_MIRROR,
            ],
            timeout=BUILD_TIMEOUT_S,
        )
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for entry in (rootfs / cache).glob("*"):
                if entry.is_file():
                    entry.unlink()
        if HOST_CA_BUNDLE.is_file():
            shutil.copy(HOST_CA_BUNDLE, rootfs / "etc/ssl/certs/ca-certificates.crt")
        archive = Path(directory) / "rootfs.tar"
        podman.command(["tar", "-C", str(rootfs), "-cf", str(archive), "."], timeout=BUILD_TIMEOUT_S)
        podman.run("import", "--change", 'CMD ["/bin/bash"]', str(archive), tag, timeout=BUILD_TIMEOUT_S)
    _remove_older(podman, BASE_NAME, tag)
    return tag


def build(
    podman: Podman,
    name: str,
    containerfile: Path,
    *,
    inputs: Sequence[Path],
    base: str,
    target: str | None = None,
) -> str:
    """The tag of `containerfile` (its directory the context unless it is the repository's) built on
    `base`, at stage `target` when given; rebuilt only when the base or one of `inputs` changed."""
    context = ROOT if containerfile.parent == ROOT else containerfile.parent
    contents = [base.encode(), (target or "").encode()]
    for path in sorted(inputs):
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        contents.extend(file.read_bytes() for file in (files if path.is_dir() else [path]))
    tag = f"localhost/{name}:{_digest(*contents)}"
    if podman.image_exists(tag):
        return tag
    podman.run(
        "build",
        "--format",
        "docker",  # keeps HEALTHCHECK, which the OCI image format has no field for
        "--layers=false",  # no intermediate images left behind, at each change of the code
        "--build-arg",
        f"BASE_IMAGE={base}",
        *(["--target", target] if target else []),
        "-f",
        str(containerfile),
        "-t",
        tag,
        str(context),
        timeout=BUILD_TIMEOUT_S,
    )
    _remove_older(podman, name, tag)
    return tag


def _remove_older(podman: Podman, name: str, tag: str) -> None:
    """Remove the earlier builds of `name`, so that changes of the code do not pile up images
    (one still used by a container stays)."""
    listed = podman.run("images", "--filter", f"reference=localhost/{name}", "--format", "{{.Repository}}:{{.Tag}}")
    older = [image for image in listed.stdout.split() if image != tag]
    if older:
        podman.run("rmi", *older, check=False)
