"""Password hashing (argon2id) and random tokens."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.matching import add_frequency_lists

from ipcity.core.i18n import N_

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

MIN_PASSWORD_LENGTH = 10  # the message below says 10: change both together
MAX_PASSWORD_LENGTH = 128  # bounds the hashing and the strength estimate; the message says 128
# At least 10^9 guesses by zxcvbn's estimate: a notch above its score 3 (10^8), which a pinyin name and a
# birth year (zhangwei1990) just reach.
MIN_GUESSES_LOG10 = 9.0

# zxcvbn knows English words and names only. Passwords built from pinyin names, places and the usual Chinese
# phrases are just as easy to guess, so the estimator also ranks these (most common first): the 60 most
# frequent surnames, frequent given-name syllables, and words common in Chinese passwords.
_CHINESE_WORDS = (
    "woaini", "aini", "zhongguo", "beijing", "shanghai", "shenzhen", "guangzhou", "nihao", "laopo", "laogong",
    "baobao", "qwe", "asd", "zxc", "mima", "wangwang", "xiaoming",
    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu",
    "guo", "he", "gao", "lin", "luo", "zheng", "liang", "xie", "song", "tang", "han", "feng", "deng", "cao",
    "peng", "zeng", "xiao", "tian", "dong", "yuan", "pan", "yu", "jiang", "cai", "jia", "ding", "wei", "xue",
    "ye", "yan", "du", "shen", "lu", "qin", "shi", "ren", "lv", "fan", "fu", "cui", "cheng", "kang", "qian",
    "fang", "na", "min", "jing", "qiang", "lei", "jun", "yong", "jie", "juan", "tao", "ming", "chao", "xiulan",
    "xia", "ping", "gang", "hua", "hui", "hong", "ying", "lan", "mei", "ling", "long", "hao", "yi", "bo", "xin",
    "jian", "fei", "bin", "kai", "xiang", "yun", "dan", "qing", "zhen", "xiaoli", "xiaoyan",
)
add_frequency_lists({"chinese": list(dict.fromkeys(_CHINESE_WORDS))})

# zxcvbn's warnings (English only) mapped to our own translatable reasons, by the words they contain.
_WEAKNESS = (
    (("common password",), N_("It is one of the most commonly used passwords")),
    (("repeat", "repeated"), N_("It repeats characters or words")),
    (("sequence",), N_("It uses a sequence such as abc or 123")),
    (("keyboard", "rows of keys"), N_("It follows a keyboard pattern")),
    (("date", "year"), N_("It relies on a date or a year")),
    (("name", "word by itself"), N_("It is a single word or name")),
)

def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_problems(password: str, username: str = "") -> list[str]:
    """English msgids of what is wrong with a new password (empty when acceptable)."""
    problems = []
    if len(password) > MAX_PASSWORD_LENGTH:
        return [N_("The password may have at most 128 characters")]
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(N_("The password must have at least 10 characters"))
    if password.isdigit() or password.isalpha():
        problems.append(N_("The password must mix letters with digits or symbols"))
    if username and username.lower() in password.lower():
        problems.append(N_("The password must not contain the user name"))
    if not problems:
        result = zxcvbn(password, user_inputs=[username] if username else [])
        if result["guesses_log10"] < MIN_GUESSES_LOG10:
            problems.append(N_("The password is too easy to guess; use a longer one with several unrelated words"))
            warning = (result["feedback"].get("warning") or "").lower()
            problems += [reason for words, reason in _WEAKNESS if any(w in warning for w in words)][:1]
    return problems
