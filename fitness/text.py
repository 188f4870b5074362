"""Words and numbers as a person reads them, the same in the app, the CLI and the logs."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``plural(1, "rep")`` -> ``"1 rep"``, ``plural(3, "rep")`` -> ``"3 reps"``; ``many`` for
    irregular nouns (``plural(2, "person", "people")``)."""
    word = noun if count == 1 else (many if many is not None else f"{noun}s")
    return f"{count} {word}"


def clock(seconds: float) -> str:
    """A duration as ``m:ss`` (whole seconds, rounded; never negative): how every page and
    command shows how long a set took, so one set reads the same everywhere."""
    minutes, secs = divmod(max(0, round(seconds)), 60)
    return f"{minutes}:{secs:02d}"


# Characters Markdown (and Streamlit's ":icon:" / "$math$" extensions) may read as markup.
MARKDOWN_SPECIALS = frozenset("\\`*_{}[]()#+-.!|<>~$:")


def escape_markdown(text: str) -> str:
    """``text`` shown as written when a page renders it as Markdown: a cue is words, not markup."""
    return "".join(f"\\{c}" if c in MARKDOWN_SPECIALS else c for c in text)
