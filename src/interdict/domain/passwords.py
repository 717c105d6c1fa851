"""Password policy (ASVS 6.2, CJIS): length 12 to 64, no composition rules, banned list."""

from __future__ import annotations

MIN_LENGTH = 12
MAX_LENGTH = 64

# The most common passwords from public breach corpora, and words of this domain that users reach for.
BANNED = frozenset(
    {
        "123456789012",
        "password1234",
        "passwordpassword",
        "qwertyuiopasdf",
        "111111111111",
        "iloveyou1234",
        "changeme1234",
        "administrator",
        "letmein12345",
        "welcome12345",
        "interdict1234",
        "interdictinterdict",
        "narcotics1234",
        "police123456",
        "p@ssw0rd1234",
        "qwerty123456",
        "1q2w3e4r5t6y",
        "abc123456789",
        "passw0rd1234",
        "000000000000",
    }
)


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is refused, or ``None`` when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"password must be at least {MIN_LENGTH} characters (got {len(password)})"
    if len(password) > MAX_LENGTH:
        return f"password must be at most {MAX_LENGTH} characters (got {len(password)})"
    lowered = password.lower()
    if lowered in BANNED or len(set(lowered)) < 4:
        return "password is on the list of common or breached passwords"
    if username and username.lower() in lowered:
        return "password must not contain the username"
    return None
