"""Static file storage: content-hashed names once collected, plain names before."""

from __future__ import annotations

from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """After `linkwork collectstatic` the manifest gives each file a hashed name that browsers may
    cache for a year. Before it (tests, a fresh checkout) there is no manifest, and files are
    served under their plain names straight from the apps."""

    manifest_strict = False

    def url(self, name: str | None, force: bool = False) -> str:
        if not self.hashed_files and not force:
            return StaticFilesStorage.url(self, name)
        return str(super().url(name, force))
