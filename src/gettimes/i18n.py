"""UI strings and date formats for the site languages (English and Korean)."""

from __future__ import annotations

from datetime import datetime

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home",
        "all_articles": "All articles",
        "search": "Search",
        "search_placeholder": "Search articles",
        "search_no_js": "Search needs JavaScript. You can browse all articles instead:",
        "rss": "RSS",
        "menu": "Menu",
        "skip_to_content": "Skip to content",
        "site_links": "Site",
        "sections": "Sections",
        "all_sections": "All sections",
        "sidebar": "Popular news",
        "most_viewed": "Most Viewed",
        "weekly_hot": "Weekly Hot Issue",
        "hot_issue": "Hot Issue",
        "latest": "Latest News",
        "top_story": "Top Story",
        "breadcrumb": "Breadcrumb",
        "published": "Published",
        "updated": "Updated",
        "by": "By",
        "reporter_suffix": "",
        "reporter": "Reporter",
        "article_tools": "Article tools",
        "text_smaller": "Smaller text",
        "text_larger": "Larger text",
        "print": "Print",
        "photo": "Photo",
        "copyright_notice": "Unauthorized reproduction and redistribution prohibited.",
        "tags": "Tags",
        "share": "Share",
        "facebook": "Facebook",
        "kakaotalk": "KakaoTalk",
        "naver": "NAVER",
        "copy_url": "Copy URL",
        "copied": "URL copied",
        "most_read_by": "Most read by {name}",
        "more_from": "All articles by {name}",
        "in_category": "More in {name}",
        "previous_article": "Previous article",
        "next_article": "Next article",
        "related": "Related articles",
        "pagination": "Pages",
        "page": "Page",
        "previous_page": "Previous page",
        "next_page": "Next page",
        "page_n": "Page {n}",
        "articles_count": "{n} articles",
        "no_articles": "No articles yet.",
        "category_description": "The latest {name} news from {site}.",
        "tag_description": "Articles tagged {name} in {site}.",
        "author_title": "{name}",
        "author_description": "Articles by {name} in {site}.",
        "not_found_title": "Page not found",
        "not_found_text": "The page you are looking for does not exist or has moved. "
                          "Try the front page, search, a section or the latest news below.",
        "redirecting": "This page has moved to",
        "advertisement": "Advertisement",
        "advertise": "Advertise with us",
        "publisher_ceo": "CEO",
        "publisher_publisher": "Publisher",
        "publisher_editor": "Editor",
        "publisher_registration_number": "Registration No.",
        "publisher_registration_date": "Registered",
        "publisher_youth_protection_manager": "Youth Protection Manager",
        "publisher_address": "Address",
        "publisher_phone": "Phone",
        "publisher_fax": "Fax",
        "publisher_email": "E-mail",
    },
    "ko": {
        "home": "홈",
        "all_articles": "전체기사",
        "search": "검색",
        "search_placeholder": "기사 검색",
        "search_no_js": "검색에는 자바스크립트가 필요합니다. 전체기사 목록을 이용해 주세요:",
        "rss": "RSS",
        "menu": "메뉴",
        "skip_to_content": "본문 바로가기",
        "site_links": "사이트",
        "sections": "섹션",
        "all_sections": "전체 섹션",
        "sidebar": "인기 뉴스",
        "most_viewed": "많이 본 뉴스",
        "weekly_hot": "주간 핫이슈",
        "hot_issue": "핫이슈",
        "latest": "최신 기사",
        "top_story": "톱기사",
        "breadcrumb": "현재 위치",
        "published": "입력",
        "updated": "수정",
        "by": "",
        "reporter_suffix": "기자",
        "reporter": "기자",
        "article_tools": "기사 도구",
        "text_smaller": "글자 작게",
        "text_larger": "글자 크게",
        "print": "인쇄",
        "photo": "사진",
        "copyright_notice": "무단전재 및 재배포 금지",
        "tags": "태그",
        "share": "공유",
        "facebook": "페이스북",
        "kakaotalk": "카카오톡",
        "naver": "네이버",
        "copy_url": "URL 복사",
        "copied": "URL이 복사되었습니다",
        "most_read_by": "{name} 기자의 많이 본 기사",
        "more_from": "{name} 기자의 전체기사",
        "in_category": "{name} 다른 기사",
        "previous_article": "이전 기사",
        "next_article": "다음 기사",
        "related": "관련 기사",
        "pagination": "페이지",
        "page": "페이지",
        "previous_page": "이전 페이지",
        "next_page": "다음 페이지",
        "page_n": "{n}페이지",
        "articles_count": "기사 {n}건",
        "no_articles": "아직 기사가 없습니다.",
        "category_description": "{site} {name} 최신 뉴스",
        "tag_description": "{site} #{name} 관련 기사",
        "author_title": "{name} 기자",
        "author_description": "{site} {name} 기자의 기사",
        "not_found_title": "페이지를 찾을 수 없습니다",
        "not_found_text": "찾으시는 페이지가 없거나 옮겨졌습니다. 첫 화면, 검색, 섹션이나 아래 최신 기사를 둘러보세요.",
        "redirecting": "이 페이지는 다음 주소로 옮겨졌습니다:",
        "advertisement": "광고",
        "advertise": "광고 문의",
        "publisher_ceo": "대표이사",
        "publisher_publisher": "발행인",
        "publisher_editor": "편집인",
        "publisher_registration_number": "등록번호",
        "publisher_registration_date": "등록일",
        "publisher_youth_protection_manager": "청소년보호책임자",
        "publisher_address": "주소",
        "publisher_phone": "전화",
        "publisher_fax": "팩스",
        "publisher_email": "이메일",
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
