"""Comment themes of pulse surveys (pure, no Django): which topics free-text comments touch.

Each theme has a keyword dictionary in Chinese and English; a comment counts once per theme
it mentions. Frequent terms are the most common words (English) or two-character runs
(Chinese) outside the stop lists, for what the dictionaries do not know yet.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

THEMES: dict[str, tuple[str, ...]] = {
    "workload": (
        "加班",
        "工作量",
        "太忙",
        "忙",
        "压力",
        "人手",
        "排班",
        "休息",
        "熬夜",
        "值班",
        "overtime",
        "workload",
        "busy",
        "pressure",
        "stress",
        "understaffed",
        "shift",
        "hours",
        "rest",
        "tired",
    ),
    "manager": (
        "领导",
        "主管",
        "经理",
        "组长",
        "上级",
        "沟通",
        "反馈",
        "支持",
        "manager",
        "lead",
        "boss",
        "supervisor",
        "communication",
        "feedback",
        "support",
    ),
    "growth": (
        "成长",
        "培训",
        "晋升",
        "学习",
        "发展",
        "职业",
        "技能",
        "机会",
        "growth",
        "training",
        "promotion",
        "learn",
        "learning",
        "career",
        "skill",
        "skills",
        "opportunity",
    ),
    "recognition": (
        "认可",
        "表扬",
        "奖金",
        "薪资",
        "工资",
        "激励",
        "绩效",
        "奖励",
        "recognition",
        "recognised",
        "recognized",
        "praise",
        "bonus",
        "pay",
        "salary",
        "reward",
        "rewards",
        "appreciated",
    ),
    "wellbeing": (
        "身体",
        "健康",
        "心情",
        "焦虑",
        "累",
        "情绪",
        "家庭",
        "平衡",
        "health",
        "wellbeing",
        "anxious",
        "anxiety",
        "burnout",
        "mood",
        "balance",
        "family",
    ),
    "tools": (
        "系统",
        "工具",
        "电脑",
        "软件",
        "流程",
        "后台",
        "卡顿",
        "报表",
        "自动化",
        "system",
        "tool",
        "tools",
        "software",
        "laptop",
        "process",
        "slow",
        "report",
        "reports",
        "automation",
    ),
    "team": (
        "团队",
        "同事",
        "氛围",
        "协作",
        "配合",
        "合作",
        "team",
        "colleague",
        "colleagues",
        "atmosphere",
        "collaboration",
        "teamwork",
    ),
}

STOP_EN = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "this",
        "that",
        "we",
        "i",
        "you",
        "they",
        "our",
        "my",
        "me",
        "us",
        "not",
        "no",
        "so",
        "very",
        "too",
        "more",
        "less",
        "can",
        "could",
        "should",
        "would",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "at",
        "by",
        "from",
        "as",
        "if",
        "about",
        "just",
        "get",
        "got",
        "also",
        "there",
        "their",
        "them",
        "what",
        "when",
        "which",
    ]
)
STOP_ZH = frozenset(
    ["我们", "一个", "没有", "可以", "希望", "觉得", "比较", "非常", "有点", "还是", "就是"]
)
_EN_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_ZH_RUN = re.compile(r"[\u4e00-\u9fff]+")


@dataclass(frozen=True, slots=True)
class ThemeCount:
    theme: str
    comments: int  # comments mentioning the theme
    share: float  # % of all comments


def themes_of(comment: str, themes: Mapping[str, Iterable[str]] = THEMES) -> set[str]:
    """The themes one comment mentions (case-insensitive keyword match)."""
    text = comment.lower()
    words = set(_EN_WORD.findall(text))
    found = set()
    for theme, keywords in themes.items():
        for keyword in keywords:
            if (keyword in words) if keyword.isascii() else (keyword in text):
                found.add(theme)
                break
    return found


def theme_counts(
    comments: Iterable[str], themes: Mapping[str, Iterable[str]] = THEMES
) -> list[ThemeCount]:
    """Counts of comments per theme, most mentioned first (themes never mentioned left out)."""
    counter: Counter[str] = Counter()
    total = 0
    for comment in comments:
        if not comment or not comment.strip():
            continue
        total += 1
        counter.update(themes_of(comment, themes))
    return [
        ThemeCount(theme, n, round(100 * n / total, 1))
        for theme, n in sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    ]


def frequent_terms(
    comments: Iterable[str], *, top: int = 10, min_count: int = 2
) -> list[tuple[str, int]]:
    """The most frequent terms (English words, Chinese two-character runs), each counted once
    per comment, at least ``min_count`` comments."""
    counter: Counter[str] = Counter()
    for comment in comments:
        text = (comment or "").lower()
        terms = {w for w in _EN_WORD.findall(text) if w not in STOP_EN}
        for run in _ZH_RUN.findall(text):
            terms |= {run[i : i + 2] for i in range(len(run) - 1)} - STOP_ZH
        counter.update(terms)
    ranked = sorted(
        ((t, n) for t, n in counter.items() if n >= min_count), key=lambda x: (-x[1], x[0])
    )
    return ranked[:top]
