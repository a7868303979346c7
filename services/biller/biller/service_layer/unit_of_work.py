"""The biller's unit of work: one transaction, with the biller's repositories bound to it."""

from __future__ import annotations

import asyncpg

from biller.adapters.acknowledgments import AcknowledgmentRepository
from biller.adapters.cob_repository import CobRepository
from biller.adapters.denial_work_repository import DenialWorkRepository
from biller.adapters.eligibility import EligibilityRepository
from biller.adapters.posting_repository import PostingRepository
from biller.adapters.repository import ClaimRepository
from shared.unit_of_work import PostgresUnitOfWork


class BillerUnitOfWork(PostgresUnitOfWork):
    claims: ClaimRepository
    postings: PostingRepository
    denial_work: DenialWorkRepository
    acknowledgments: AcknowledgmentRepository
    eligibility: EligibilityRepository
    cob: CobRepository

    def open_repositories(self, conn: asyncpg.Connection) -> None:
        self.claims = ClaimRepository(conn)
        self.postings = PostingRepository(conn)
        self.denial_work = DenialWorkRepository(conn)
        self.acknowledgments = AcknowledgmentRepository(conn)
        self.eligibility = EligibilityRepository(conn)
        self.cob = CobRepository(conn)
