"""Configuration classes, read from the environment (microblog style)."""
import os
from decimal import Decimal

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
DEFAULT_SECRET = "dev-only-not-a-secret"


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or (
        "sqlite:///" + os.path.join(BASE_DIR, "instance", "tadamon.sqlite")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None
    BOOTSTRAP_SERVE_LOCAL = True
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Africa/Casablanca"
    LANGUAGES = {"fr": "Français", "ar": "العربية", "en": "English"}
    BABEL_TRANSLATION_DIRECTORIES = os.path.join(BASE_DIR, "translations")
    # flask-smorest: the spec lives under the API prefix, its docs page from local files.
    API_TITLE = "Tadamon API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/static/vendor/swagger-ui/"
    # Business settings an admin may change per deployment.
    DEFAULT_COMMISSION_RATE = Decimal(os.environ.get("DEFAULT_COMMISSION_RATE", "0.15"))
    PACKAGING_FEE_PER_UNIT = Decimal(os.environ.get("PACKAGING_FEE_PER_UNIT", "0"))
    EXPIRY_WARNING_DAYS = int(os.environ.get("EXPIRY_WARNING_DAYS", "30"))
    # The value of a compensation for lost goods: "consignment" (retail price less the
    # commission in force at the loss) or "retail".
    COMPENSATION_BASIS = os.environ.get("COMPENSATION_BASIS", "consignment")
    MAX_LINE_DISCOUNT_RATE = Decimal(os.environ.get("MAX_LINE_DISCOUNT_RATE", "0.20"))
    # The platform's legal identity, printed on receipts, Z reports, statements and payout slips.
    PLATFORM_LEGAL_NAME = os.environ.get("PLATFORM_LEGAL_NAME", "Plateforme logistique Tadamon de l'Oriental")
    PLATFORM_ADDRESS = os.environ.get("PLATFORM_ADDRESS", "Oujda, Maroc")
    PLATFORM_ICE = os.environ.get("PLATFORM_ICE", "")
    PLATFORM_IF = os.environ.get("PLATFORM_IF", "")
    PLATFORM_RC = os.environ.get("PLATFORM_RC", "")
    # Buyers' invoices: the VAT rate per product category ("dates=0,olive_oil=0.10"; 0 allowed),
    # and the rate of a category not named.
    ORDER_TAX_RATES = {k.strip(): Decimal(v) for k, v in (
        pair.split("=", 1) for pair in os.environ.get("ORDER_TAX_RATES", "").split(",") if "=" in pair)}
    ORDER_TAX_DEFAULT_RATE = Decimal(os.environ.get("ORDER_TAX_DEFAULT_RATE", "0.20"))
    # Closing a till whose counted cash differs from the expected by more asks to confirm (MAD).
    CASH_DIFFERENCE_CONFIRM_THRESHOLD = Decimal(os.environ.get("CASH_DIFFERENCE_CONFIRM_THRESHOLD", "200"))
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    API_PAGE_SIZE = 50
    # Sessions end after this long unused, and this long after sign-in whatever happens;
    # API tokens stop working this many days after they were issued.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "120"))
    SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
    API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))
    PERMANENT_SESSION_LIFETIME = SESSION_MAX_HOURS * 3600
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    # A sale of thousands of lines fits in 1 MB; larger bodies are refused (413) unread.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024)))
    # The area packages, in registration order; each has `register(app, api)`.
    AREAS = ("auth", "admin", "warehouse", "transfers", "shop", "portal", "reports", "orders")


class DevelopmentConfig(Config):
    """Local use: the embedded SQLite file under instance/."""

    DEBUG = False


class TestingConfig(Config):
    """The test suite: its own database, CSRF on (tests fetch tokens like a browser)."""

    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    WTF_CSRF_ENABLED = False
    LOGIN_MAX_FAILURES = 3
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashes keep the suite quick


class ProductionConfig(Config):
    """Production: DATABASE_URL and a real SECRET_KEY come from the environment."""

    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    SESSION_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls):
        """Refuse to start without a database URL or with the default secret."""
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("ProductionConfig needs DATABASE_URL in the environment")
        secret = os.environ.get("SECRET_KEY", "")
        if not secret or secret == DEFAULT_SECRET or len(secret) < 16:
            raise RuntimeError("ProductionConfig needs a real SECRET_KEY (16+ characters)")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
