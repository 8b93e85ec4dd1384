"""A framework (competences, clusters, tags, templates...) and its published versions.

Publishing a new version never changes history: every claim and sign-off names the id and
version it was made against, and every version stays readable here.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from portfolio.domain.base import PortfolioAggregate
from portfolio.domain.errors import DomainError

FRAMEWORK_NS = uuid5(NAMESPACE_URL, "https://portfolio.invalid/framework")


class Framework(PortfolioAggregate):
    @staticmethod
    def create_id(framework_id: str) -> UUID:
        return uuid5(FRAMEWORK_NS, framework_id)

    @event("Registered")
    def __init__(self, framework_id: str):
        self.framework_id = framework_id
        self.versions: dict[str, dict] = {}
        self.digests: dict[str, str] = {}
        self.current: str | None = None

    def publish(self, version: str, document: dict, digest: str) -> None:
        if document.get("id") != self.framework_id:
            raise DomainError(f"document id {document.get('id')!r} is not {self.framework_id!r}")
        if version in self.versions:
            if self.digests[version] == digest:
                raise DomainError(f"{self.framework_id} version {version} is already loaded")
            raise DomainError(f"{self.framework_id} version {version} exists with different content; "
                              f"give the changed file a new version")
        self._version_published(version=version, document=document, digest=digest)

    @event("VersionPublished")
    def _version_published(self, version: str, document: dict, digest: str) -> None:
        self.versions[version] = document
        self.digests[version] = digest
        self.current = version

    def document(self, version: str | None = None) -> dict:
        version = version or self.current
        if version not in self.versions:
            raise DomainError(f"{self.framework_id} has no version {version}")
        return self.versions[version]
