"""The one settings object. Every value can be set from the environment (upper-case name)."""

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "kindred-development-secret-do-not-use-in-production"  # noqa: S105


class CrisisResource(BaseModel):
    """A service people can reach straight away when they are not safe."""

    name: str
    description: str = ""
    phone: str | None = None
    text: str | None = Field(
        default=None, description='How to text them, e.g. "Text SHOUT to 85258"'
    )
    text_to: str | None = Field(default=None, description="The number to text (for an sms: link)")
    text_body: str | None = Field(default=None, description="The word to send, if there is one")
    url: str | None = None
    hours: str = "24 hours a day, every day"


DEFAULT_CRISIS_RESOURCES = [
    CrisisResource(
        name="Emergency services",
        description="If you or someone else is in immediate danger.",
        phone="999",
    ),
    CrisisResource(
        name="Samaritans",
        description="Someone to talk to, whatever you're going through.",
        phone="116 123",
        url="https://www.samaritans.org",
    ),
    CrisisResource(
        name="Shout",
        description="Free, confidential text support.",
        text="Text SHOUT to 85258",
        text_to="85258",
        text_body="SHOUT",
        url="https://giveusashout.org",
    ),
]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    service_name: str = "Kindred"
    # Who runs this service (the data controller) and how people reach them about their data
    # and accessibility: shown on /privacy, /accessibility and /terms. Set both in production.
    organisation_name: str = "The organisation running this service"
    contact_email: str = "coordinators@kindred.example"
    database_url: str = "sqlite:///./kindred.db"
    database_pool_size: int = 10
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    # Encrypts free text at rest (own-words experiences, messages, concerns). Keep it apart
    # from SECRET_KEY so the two can be rotated separately; required outside development.
    data_encryption_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    # Keys DATA_ENCRYPTION_KEY replaced (a JSON list, newest first): they still open what they
    # sealed until `python -m api.tasks rekey` has re-sealed it (docs/operations.md).
    data_encryption_keys_old: list[SecretStr] = []

    # Tokens and sessions (documented in docs/security.md)
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    web_session_idle_minutes: int = 24 * 60
    web_session_absolute_days: int = 14
    jwt_audience: str = "kindred-api"
    # Staff (coordinators, administrators) hold everyone's data: their sessions end sooner,
    # and they sign in with a second factor (TOTP; nothing turns that off for staff).
    staff_session_absolute_hours: float = Field(default=8, gt=0, le=24)
    staff_session_idle_minutes: float = Field(default=30, gt=0, le=240)
    # Between the password and the code at login: the mfa_token lasts this long.
    second_factor_step_minutes: int = Field(default=5, ge=1, le=15)
    recovery_code_count: int = Field(default=10, ge=5, le=20)
    jwt_issuer: str = "kindred"
    # Integrators' client-credentials tokens: their own audience (and signing key), so a
    # person's token is never taken for a client's or the other way round.
    client_token_minutes: int = 15
    jwt_client_audience: str = "kindred-integrations"
    # A referral's invite link works once, for this many days.
    referral_invite_days: int = 30

    # Cookies are Secure by default; browsers accept Secure cookies from http://127.0.0.1.
    cookie_secure: bool = True
    hsts: bool = False  # set where the service is reached over HTTPS

    # Login throttling: failures within the window, per account and per address.
    login_window_minutes: int = 15
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 30

    # argon2id at OWASP's minimum (m=19 MiB, t=2, p=1): ~34 ms a hash on our machines.
    password_memory_kib: int = 19456
    password_time_cost: int = 2
    password_parallelism: int = 1

    # Matching
    introduction_ttl_hours: int = 72  # an unanswered introduction expires after this
    shortlist_size: int = 5
    # Supporters' profile edits reach every replica's shortlists within this many seconds;
    # pauses and capacity changes are always current.
    matching_rebuild_seconds: float = 30.0
    # How often each replica re-reads changed offers (shown candidates are always re-checked).
    matching_sync_seconds: float = 1.0
    # Overrides of api.matching.scoring.Weights, e.g. {"further_along_bonus": 0.8};
    # documented in docs/matching.md. Invalid combinations are refused at start-up.
    matching_weights: dict[str, float] = {}
    # Own-words similarity (api/profiles/own_words.py): used when the optional `similarity`
    # extra's local model is installed; set false to store and use no vectors at all.
    matching_text_similarity: bool = True

    # Web Push (VAPID, RFC 8292): without a private key push is off (notices still work).
    # PEM, or base64url raw/DER as py_vapid prints it. See api/contact/push.py.
    vapid_private_key: SecretStr | None = None
    vapid_subject: str = "mailto:coordinators@kindred.example"
    # The only places a push is ever sent (scheme://host[:port], "*." for any subdomain): a
    # browser's subscription names its endpoint, so anything else would be a way in (SSRF).
    web_push_services: list[str] = [
        "https://fcm.googleapis.com",
        "https://*.push.services.mozilla.com",
        "https://*.notify.windows.com",
        "https://web.push.apple.com",
        "https://*.push.apple.com",
    ]

    # The job queue (api/jobs, docs/integrations.md). `make run` sets RUN_WORKER=1 so the app
    # runs a worker in-process; docker-compose runs `python -m api.tasks worker` on its own.
    run_worker: bool = False
    # GET /metrics (Prometheus; docs/scaling.md): off unless set, and even then never answered
    # through the proxy (a request carrying X-Forwarded-For is refused).
    metrics_enabled: bool = False
    worker_concurrency: int = Field(default=4, ge=1, le=64)
    # How often (seconds, dividing 60) the queue sweeps the outbox and the deliveries that are
    # due; the first attempt of a webhook starts within this long of the change.
    webhook_sweep_seconds: int = Field(default=2, ge=1, le=30)
    # Standard Webhooks' schedule: at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
    webhook_retry_schedule: list[float] = [0, 5, 300, 1800, 7200, 18000, 36000, 36000]
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    # An endpoint that has not taken one delivery for this long (while attempts kept failing)
    # is disabled and its client told: five days, as Svix does.
    webhook_disable_after_seconds: float = Field(default=5 * 24 * 3600, gt=0)
    # Events and their delivery log are kept this long after they were sent out, then pruned.
    webhook_log_days: int = Field(default=30, ge=1)
    # A rotated secret keeps signing (beside the new one) for this long.
    webhook_secret_overlap_hours: float = Field(default=24, ge=0)
    # Endpoints on loopback or private addresses are refused unless this is set (development,
    # tests): an integrator's URL must never reach inside the service's own network.
    webhook_allow_private_addresses: bool = False

    # E-mail (api/mail, docs/notifications.md): sent by the job queue through this SMTP server.
    # `make run` starts a local catcher on 127.0.0.1:1025 (MAIL_CATCHER) and the PWA lists
    # what it caught at /dev/mail; it is refused outside development.
    public_url: str = "http://127.0.0.1:8000"  # links in e-mails lead here
    mail_from: str = "Kindred <no-reply@kindred.example>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False  # STARTTLS after connecting (port 587)
    smtp_tls: bool = False  # TLS from the start (port 465)
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    mail_catcher: bool = False
    mail_catcher_dir: str = ".mail"
    # How often (seconds, dividing 60) the queue sends the e-mails and pushes that are due.
    notice_sweep_seconds: int = Field(default=5, ge=1, le=30)
    # Retries of an e-mail the server did not take: after these many seconds, then it gives up.
    mail_retry_schedule: list[float] = [30, 120, 600, 3600, 6 * 3600]
    password_reset_minutes: int = Field(default=30, ge=5, le=24 * 60)
    address_link_hours: int = Field(default=72, ge=1)

    crisis_resources: list[CrisisResource] = DEFAULT_CRISIS_RESOURCES
    quick_exit_url: str = "https://www.bbc.co.uk/weather"

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        secret = self.secret_key.get_secret_value()
        if self.environment != "development" and secret == DEVELOPMENT_SECRET:
            raise ValueError("SECRET_KEY must be set outside development")
        data_key = self.data_encryption_key.get_secret_value()
        if self.environment != "development" and data_key == DEVELOPMENT_SECRET:
            raise ValueError("DATA_ENCRYPTION_KEY must be set outside development")
        if self.environment == "production" and len(secret) < 32:
            raise ValueError("SECRET_KEY must be at least 32 characters in production")
        if self.mail_catcher and self.environment == "production":
            raise ValueError("MAIL_CATCHER is for development only")
        if 60 % self.notice_sweep_seconds:
            raise ValueError("NOTICE_SWEEP_SECONDS must divide 60 (1, 2, 3, 5, 10, 15, 30…)")
        if 60 % self.webhook_sweep_seconds:
            raise ValueError("WEBHOOK_SWEEP_SECONDS must divide 60 (1, 2, 3, 5, 10, 15, 30…)")
        if not self.webhook_retry_schedule or min(self.webhook_retry_schedule) < 0:
            raise ValueError("WEBHOOK_RETRY_SCHEDULE needs at least one delay, none negative")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
