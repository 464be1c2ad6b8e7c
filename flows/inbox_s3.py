"""The S3 inbox: batches uploaded to object storage, each taken once into the local inbox.

In ``SOHOA_INBOX_S3=s3://bucket/prefix`` (endpoint and keys: ``SOHOA_S3_*``, as the archive)::

    incoming/<batch>/...       the scans, uploaded with any S3 tool (mc cp -r, aws s3 cp, rclone)
    incoming/<batch>/READY     uploaded last: the batch is complete (no quiet period on S3)
    claims/<batch>             written by the run that takes the batch

*Claimed once*: the claim is a PUT of ``claims/<batch>`` with ``If-None-Match: *`` (write only
if absent; S3 conditional writes: AWS S3, MinIO, SeaweedFS, measured here). Of runs racing on
any machines, one gets it and the others get 412 and skip the batch. The claim names the local
inbox that took it (host and folder).

*Then*: every object is downloaded into ``processing/.s3-<batch>.part/`` of the local inbox
(``READY`` as ``.READY``), that folder is renamed ``processing/<batch>`` (the commit point), and
the objects are deleted, ``READY`` first, then the claim. From there it is a local batch.

*Resumed*: a run that holds the local inbox lock and finds a claim naming its own inbox knows
the run that wrote it died (the lock is exclusive), so it finishes that claim: downloads again
unless ``processing/<batch>`` is already there, then deletes. Claims of other inboxes are left
alone. Use a bucket without object lock for the inbox (its objects are deleted once taken).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
from pathlib import Path, PurePosixPath

from minio.error import S3Error

from flows.inbox import KEPT_MARKER, MARKER, FolderInbox
from kernel.errors import ConfigError, SohoaError
from kernel.settings import Settings

log = logging.getLogger("sohoa.inbox")
LOST = {"PreconditionFailed", "ConditionalRequestConflict"}  # another run wrote the claim first


def identity(inbox: FolderInbox) -> str:
    return f"{socket.gethostname()}:{inbox.root.resolve()}"


class S3Inbox:
    def __init__(self, config) -> None:
        from storage.s3 import S3Archive  # its client: same endpoint, keys, TLS, timeouts

        self.config = config
        self._archive = S3Archive(config)
        self.client = self._archive.client
        self.bucket = config.bucket
        self.prefix = f"{config.prefix.strip('/')}/" if config.prefix.strip("/") else ""
        self._checked = False

    @classmethod
    def from_settings(cls, settings: Settings) -> "S3Inbox":
        from storage.spec import s3_config

        return cls(s3_config(settings.inbox_s3, settings))

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    def _call(self, fn, what: str):
        return self._archive.target.call(fn, f"{what} (inbox {self.location})",
                                         self.config.retries)

    def _check_bucket(self) -> None:
        """Create the inbox bucket when missing and the key may (no object lock: objects are
        deleted once taken)."""
        if self._checked:
            return
        if not self._call(lambda: self.client.bucket_exists(self.bucket),
                          "looking for the inbox bucket"):
            try:
                self._call(lambda: self.client.make_bucket(self.bucket, self.config.region),
                           "creating the inbox bucket")
            except SohoaError as exc:
                raise ConfigError(f"S3 inbox bucket {self.bucket!r} does not exist on "
                                  f"{self.config.endpoint} and could not be made: {exc.message}",
                                  hint="create it (mc mb alias/BUCKET, no object lock needed) or "
                                       "fix SOHOA_INBOX_S3") from None
            log.info("created the inbox bucket %s", self.bucket)
        self._checked = True

    def _list(self, sub: str) -> list[str]:
        self._check_bucket()
        start = self.prefix + sub
        return self._call(lambda: [o.object_name for o in self.client.list_objects(
            self.bucket, prefix=start, recursive=True)], f"listing {sub}")

    # -- what is there ---------------------------------------------------------------------
    def objects(self, batch: str) -> list[str]:
        """Keys of a batch's incoming objects, relative to ``incoming/<batch>/``."""
        start = f"{self.prefix}incoming/{batch}/"
        return [k[len(start):] for k in self._list(f"incoming/{batch}/") if not k.endswith("/")]

    def waiting(self) -> dict[str, bool]:
        """Batch name -> ready (its READY object is there)."""
        batches: dict[str, bool] = {}
        for key in self._list("incoming/"):
            parts = key[len(self.prefix) + len("incoming/"):].split("/")
            if len(parts) >= 2 and parts[0] and not parts[0].startswith("."):
                batches[parts[0]] = batches.get(parts[0], False) or parts[1:] == [MARKER]
        return batches

    def claims(self) -> dict[str, str]:
        """Batch name -> the inbox that claimed it."""
        found = {}
        for key in self._list("claims/"):
            name = key.rsplit("/", 1)[-1]
            body = self._call(lambda k=key: self._read(k), f"reading claim {name}")
            found[name] = json.loads(body or b"{}").get("inbox", "?") if body else "?"
        return found

    def _read(self, key: str) -> bytes | None:
        try:
            response = self.client.get_object(self.bucket, key)
        except S3Error as exc:
            if exc.code == "NoSuchKey":
                return None
            raise
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    # -- taking a batch --------------------------------------------------------------------
    def claim(self, batch: str, inbox: FolderInbox) -> bool:
        """Write claims/<batch> if nobody has; True when this run got it."""
        body = json.dumps({"inbox": identity(inbox), "pid": os.getpid()}).encode()

        def put() -> bool:
            try:
                self.client._put_object(self.bucket, f"{self.prefix}claims/{batch}", body,
                                        {"If-None-Match": "*", "Content-Length": str(len(body)),
                                         "Content-Type": "application/json"})
                return True
            except S3Error as exc:
                if exc.code in LOST:
                    return False
                raise

        return self._call(put, f"claiming batch {batch}")

    def claim_next(self, inbox: FolderInbox) -> Path | None:
        """Claim, download and clear the first ready batch another run has not taken."""
        for batch, ready in sorted(self.waiting().items()):
            if not ready or (inbox.folder("processing") / batch).exists():
                continue
            if self.claim(batch, inbox):
                log.info("claimed batch %s from %s", batch, self.location)
                taken = self._take(batch, inbox)
                if taken is not None:
                    return taken
        return None

    def settle(self, inbox: FolderInbox) -> None:
        """Finish this inbox's own claims left by a run that died (call with the lock held)."""
        mine = identity(inbox)
        for batch, owner in self.claims().items():
            if owner == mine:
                log.warning("batch %s was claimed from %s by a run that stopped: taking it "
                            "again", batch, self.location)
                self._take(batch, inbox)

    def _release(self, batch: str) -> None:
        self._call(lambda: self.client.remove_object(self.bucket, f"{self.prefix}claims/{batch}"),
                   f"releasing the claim of {batch}")

    def _take(self, batch: str, inbox: FolderInbox) -> Path | None:
        inbox.ensure()
        final = inbox.folder("processing") / batch
        keys = self.objects(batch)
        if not final.exists() and MARKER not in keys:  # another run took it since we listed
            self._release(batch)
            return None
        if not final.exists():
            part = inbox.folder("processing") / f".s3-{batch}.part"
            shutil.rmtree(part, ignore_errors=True)
            for rel in keys:
                local = _local_path(part, rel)
                local.parent.mkdir(parents=True, exist_ok=True)
                key = f"{self.prefix}incoming/{batch}/{rel}"
                self._call(lambda k=key, p=local: self.client.fget_object(self.bucket, k, str(p)),
                           f"downloading {batch}/{rel}")
            part.mkdir(parents=True, exist_ok=True)  # a batch of READY only is an empty batch
            os.rename(part, final)
        for rel in sorted(keys, key=lambda r: r != MARKER):  # READY first: no longer ready
            key = f"{self.prefix}incoming/{batch}/{rel}"
            self._call(lambda k=key: self.client.remove_object(self.bucket, k), f"clearing {batch}")
        self._release(batch)
        return final


def _local_path(root: Path, rel: str) -> Path:
    """Where an object of the batch goes: inside ``root`` whatever its key says."""
    parts = PurePosixPath(rel).parts
    if not parts or any(p in ("", ".", "..") for p in parts) or rel.startswith("/"):
        raise ConfigError(f"S3 inbox object {rel!r} has a key that leaves its batch folder",
                          hint="rename it under incoming/<batch>/ without '..' parts")
    if parts == (MARKER,):
        return root / KEPT_MARKER
    return root.joinpath(*parts)
