"""UI strings and date formats for the site languages (English and Korean)."""

from __future__ import annotations

from datetime import datetime

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home",
        "all_articles": "All articles",
        "search": "Search",
        "search_placeholder": "Search articles",
        "rss": "RSS",
        "menu": "Menu",
        "skip_to_content": "Skip to content",
        "sections": "Sections",
        "most_viewed": "Most Viewed",
        "weekly_hot": "Weekly Hot Issue",
        "hot_issue": "Hot Issue",
        "latest": "Latest News",
        "top_story": "Top Story",
        "published": "Published",
        "updated": "Updated",
        "reporter": "Reporter",
        "reporters": "Reporters",
        "by": "By",
        "tags": "Tags",
        "related": "Related articles",
        "previous_article": "Previous article",
        "next_article": "Next article",
        "more_from": "More from the reporter",
        "pagination": "Pages",
        "previous_page": "Previous page",
        "next_page": "Next page",
        "page_n": "Page {n}",
        "articles_count": "{n} articles",
        "no_articles": "No articles yet.",
        "more": "More",
        "not_found_title": "Page not found",
        "not_found_text": "The page you are looking for does not exist or has moved. "
                          "Try the latest news or a section below.",
        "redirecting": "This page has moved to",
        "tag_title": "#{name}",
        "category_title": "{name}",
        "author_title": "{name}",
        "share": "Share",
        "copy_url": "Copy URL",
        "print": "Print",
        "text_smaller": "Smaller text",
        "text_larger": "Larger text",
        "copyright_notice": "Unauthorized reproduction and redistribution prohibited.",
        "search_no_js": "Search needs JavaScript. You can browse all articles instead.",
        "footer_publisher": "Publisher information",
        "advertise": "Advertise with us",
        "photo": "Photo",
    },
    "ko": {
        "home": "홈",
        "all_articles": "전체기사",
        "search": "검색",
        "search_placeholder": "기사 검색",
        "rss": "RSS",
        "menu": "메뉴",
        "skip_to_content": "본문 바로가기",
        "sections": "섹션",
        "most_viewed": "많이 본 뉴스",
        "weekly_hot": "주간 핫이슈",
        "hot_issue": "핫이슈",
        "latest": "최신 기사",
        "top_story": "톱기사",
        "published": "입력",
        "updated": "수정",
        "reporter": "기자",
        "reporters": "기자",
        "by": "",
        "tags": "태그",
        "related": "관련 기사",
        "previous_article": "이전 기사",
        "next_article": "다음 기사",
        "more_from": "기자의 다른 기사",
        "pagination": "페이지",
        "previous_page": "이전 페이지",
        "next_page": "다음 페이지",
        "page_n": "{n}페이지",
        "articles_count": "기사 {n}건",
        "no_articles": "아직 기사가 없습니다.",
        "more": "더보기",
        "not_found_title": "페이지를 찾을 수 없습니다",
        "not_found_text": "찾으시는 페이지가 없거나 옮겨졌습니다. 최신 기사나 아래 섹션을 둘러보세요.",
        "redirecting": "이 페이지는 다음 주소로 옮겨졌습니다:",
        "tag_title": "#{name}",
        "category_title": "{name}",
        "author_title": "{name} 기자",
        "share": "공유",
        "copy_url": "URL 복사",
        "print": "인쇄",
        "text_smaller": "글자 작게",
        "text_larger": "글자 크게",
        "copyright_notice": "무단전재 및 재배포 금지",
        "search_no_js": "검색에는 자바스크립트가 필요합니다. 전체기사 목록을 이용해 주세요.",
        "footer_publisher": "발행 정보",
        "advertise": "광고 문의",
        "photo": "사진",
    },
}

_WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "ko": ("월", "화", "수", "목", "금", "토", "일"),
}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


class Translator:
    """Strings and date formats of one language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.strings = STRINGS[language]

    def __call__(self, key: str, **values: object) -> str:
        text = self.strings.get(key, STRINGS["en"].get(key, key))
        return text.format(**values) if values else text

    def date(self, moment: datetime) -> str:
        """The reader-facing date: `June 23, 2025` / `2025년 6월 23일`."""
        if self.language == "ko":
            return f"{moment.year}년 {moment.month}월 {moment.day}일"
        return f"{_MONTHS[moment.month - 1]} {moment.day}, {moment.year}"

    def full(self, moment: datetime) -> str:
        """`2025-06-23 17:05:06`, the form Korean dailies print for input and update times."""
        return moment.strftime("%Y-%m-%d %H:%M:%S")

    def edition(self, moment: datetime) -> str:
        """The edition date of the top bar: `2025.10.26 (Sun)`."""
        return f"{moment:%Y.%m.%d} ({_WEEKDAYS[self.language][moment.weekday()]})"

    def short(self, moment: datetime) -> str:
        """Compact listing time: `06.23 17:05`."""
        return moment.strftime("%m.%d %H:%M")
