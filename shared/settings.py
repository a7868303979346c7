"""One settings object for every service and the CLI: environment variables with working local defaults."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, Field


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


class Settings(BaseModel):
    kafka_bootstrap_servers: str = Field(default_factory=lambda: _env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    database_url: str = Field(
        default_factory=lambda: _env("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/rcmflow")
    )
    topic_partitions: int = Field(default_factory=lambda: int(_env("TOPIC_PARTITIONS", "12")))
    topic_replication_factor: int = Field(default_factory=lambda: int(_env("TOPIC_REPLICATION_FACTOR", "1")))
    web_host: str = Field(default_factory=lambda: _env("WEB_HOST", "127.0.0.1"))
    encounter_port: int = Field(default_factory=lambda: int(_env("ENCOUNTER_PORT", "8001")))
    mllp_port: int = Field(default_factory=lambda: int(_env("MLLP_PORT", "2575")))
    coder_port: int = Field(default_factory=lambda: int(_env("CODER_PORT", "8002")))
    biller_port: int = Field(default_factory=lambda: int(_env("BILLER_PORT", "8003")))
    payer_sim_port: int = Field(default_factory=lambda: int(_env("PAYER_SIM_PORT", "8004")))
    console_port: int = Field(default_factory=lambda: int(_env("CONSOLE_PORT", "8005")))
    # Worker N of a stage's consumer group listens on its port + 10*N (coder 8002, 8012, ...).
    # WORKER for every stage; CODER_WORKER is the coder's older name for it.
    worker: int = Field(default_factory=lambda: int(_env("WORKER", _env("CODER_WORKER", "0"))))
    # Workers of a stage that share one port (the encounter's intake): bound with SO_REUSEPORT,
    # and each worker also on a port of its own for its metrics (shared/faust_web.py; 0: none).
    web_shared_port: bool = Field(default_factory=lambda: _env("RCM_SHARED_PORT", "0") not in ("", "0", "false"))
    worker_web_port: int = Field(default_factory=lambda: int(_env("WORKER_WEB_PORT", "0")))
    log_level: str = Field(default_factory=lambda: _env("LOG_LEVEL", "info"))
    # Where faust keeps its local state (tables are not used, but faust wants a folder).
    data_dir: str = Field(default_factory=lambda: _env("RCM_DATA_DIR", ".run/faust"))
    # Events a stage handles together (one database transaction), and how long it waits to fill a batch.
    batch_size: int = Field(default_factory=lambda: int(_env("BATCH_SIZE", "500")))
    batch_wait_seconds: float = Field(default_factory=lambda: float(_env("BATCH_WAIT_SECONDS", "0.02")))
    # a taken batch is handled in parts of about this many seconds each (shared/batch_pace.py)
    batch_seconds: float = Field(default_factory=lambda: float(_env("BATCH_SECONDS", "2")))
    # Payer simulator realism knobs: off by default so runs are reproducible.
    payer_delay_seconds: float = Field(default_factory=lambda: float(_env("PAYER_DELAY_SECONDS", "0")))
    payer_random_denial_rate: float = Field(default_factory=lambda: float(_env("PAYER_RANDOM_DENIAL_RATE", "0")))
    payer_seed: int = Field(default_factory=lambda: int(_env("PAYER_SEED", "0")))
    # Share of claims the payer's front end rejects at random (999 or 277CA), seeded with payer_seed.
    payer_front_end_rejection_rate: float = Field(
        default_factory=lambda: float(_env("PAYER_FRONT_END_REJECTION_RATE", "0"))
    )
    # The payer's front end reads every 837P with pyx12 before its 999 (off only for throughput runs).
    payer_front_end_syntax_check: bool = Field(
        default_factory=lambda: _env("PAYER_FRONT_END_SYNTAX_CHECK", "1") not in ("0", "false", "no")
    )
    # Claim status (276/277): the biller asks about claims awaiting an answer longer than this, this often.
    claim_status_after_seconds: float = Field(
        default_factory=lambda: float(_env("CLAIM_STATUS_AFTER_SECONDS", str(30 * 86400)))
    )
    claim_status_every_seconds: float = Field(default_factory=lambda: float(_env("CLAIM_STATUS_EVERY_SECONDS", "3600")))
    # Benchmarks run a coder against topics and a consumer group of their own (empty: the real ones).
    coder_topic_suffix: str = Field(default_factory=lambda: _env("CODER_TOPIC_SUFFIX", ""))
    # The coder keeps its built diagnosis index in data_dir and reads it at the next start
    # (services.sh and compose switch it on; tests and tools build their own).
    coder_index_cache: bool = Field(default_factory=lambda: _env("CODER_INDEX_CACHE", "0") not in ("", "0", "false"))
    db_pool_size: int = Field(default_factory=lambda: int(_env("DB_POOL_SIZE", "4")))
    # TLS (shared/tls.py): the local CA and certificates; plain HTTP only when switched on for
    # development (RCM_INSECURE_HTTP=1). MLLP may ask senders for a client certificate:
    # none | optional | required.
    tls_dir: str = Field(default_factory=lambda: _env("RCM_TLS_DIR", os.path.join(_env("RCM_RUN_DIR", ".run"), "tls")))
    insecure_http: bool = Field(default_factory=lambda: _env("RCM_INSECURE_HTTP", "0") not in ("", "0", "false"))
    # Generated passwords of Postgres roles and Kafka principals (shared/credentials.py).
    secrets_dir: str = Field(
        default_factory=lambda: _env("RCM_SECRETS_DIR", os.path.join(_env("RCM_RUN_DIR", ".run"), "secrets"))
    )
    # Postgres over TLS with the local CA (DATABASE_TLS=0 only for a server without TLS).
    database_tls: bool = Field(default_factory=lambda: _env("DATABASE_TLS", "1") not in ("", "0", "false"))
    # Kafka over SASL_SSL with SCRAM-SHA-512 (shared/kafka_auth.py); KAFKA_PRINCIPAL: who this
    # process is (empty: a service is itself, the CLI and tools are the admin).
    kafka_sasl: bool = Field(default_factory=lambda: _env("KAFKA_SASL", "1") not in ("", "0", "false"))
    kafka_principal: str = Field(default_factory=lambda: _env("KAFKA_PRINCIPAL", ""))
    mllp_client_cert: str = Field(default_factory=lambda: _env("RCM_MLLP_CLIENT_CERT", "optional"))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
