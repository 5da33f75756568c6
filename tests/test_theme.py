"""The built-in news theme: what each page shows, in English and Korean, and the params it reads."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from conftest import BASIC_CONFIG, FIXED_NOW, SiteFactory, article, options
from gettimes.build import build_site

AUTHORS = """\
- name: KIM HANA
  title: Senior Reporter
  bio: Kim covers trade.
  photo: /images/kim.svg
  email: hana@example.com
"""


def build(site: Path, **changes: object) -> Path:
    build_site(site, options(**changes))
    return site / "public"


def page(output: Path, url: str) -> str:
    return (output / url.strip("/") / "index.html").read_text("utf-8")


class _JsonLd(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside = tag == "script" and ("type", "application/ld+json") in attrs
        if self._inside:
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[-1] += data


def json_ld(html: str) -> dict[str, dict[str, object]]:
    parser = _JsonLd()
    parser.feed(html)
    return {data["@type"]: data for data in map(json.loads, parser.blocks)}


def news_site(make_site: SiteFactory, config: str = BASIC_CONFIG, **files: str) -> Path:
    return make_site({
        "content/articles/a.md": article(
            "Exporters Gain", "2025-06-20 09:00:00+09:00", tags="[Trade, Ships]", author="KIM HANA",
            image="{src: /images/port.jpg, alt: Cranes at a port, caption: Busan port, credit: Photo desk}",
            summary='"Exports rose for a fourth month."'),
        "content/articles/b.md": article(
            "Chip Orders Climb", "2025-06-23 17:05:06+09:00", tags="[Trade, Chips]", author="KIM HANA",
            updated="2025-06-24 09:00:00+09:00", slug="chip-orders", featured="true"),
        "content/articles/c.md": article("Ship Deal", "2025-06-25 08:00:00+09:00", tags="[Ships]",
                                         author="KIM HANA", category="Business"),
        "data/authors.yaml": AUTHORS,
        "static/images/port.jpg": "not really a picture",
        "static/images/kim.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        **files,
    }, config=config)


def test_top_bar_shows_the_edition_date_and_rebuilds_are_byte_identical(make_site: SiteFactory) -> None:
    site = news_site(make_site)
    first = page(build(site), "/")
    assert '<time datetime="2025-06-25">2025.06.25 (Wed)</time>' in first
    later = page(build(site, now=FIXED_NOW + timedelta(days=3, hours=5)), "/")
    assert later == first, "the page must not show the build clock"


def test_head_has_canonical_open_graph_twitter_feed_and_favicon(make_site: SiteFactory) -> None:
    html = page(build(news_site(make_site)), "/article/exporters-gain/")
    for tag in (
        '<link rel="canonical" href="https://news.example.com/article/exporters-gain/">',
        '<meta property="og:type" content="article">',
        '<meta property="og:image" content="https://news.example.com/images/port.jpg">',
        '<meta name="twitter:card" content="summary_large_image">',
        '<meta name="twitter:image" content="https://news.example.com/images/port.jpg">',
        '<meta name="description" content="Exports rose for a fourth month.">',
        '<link rel="alternate" type="application/rss+xml" title="Test Times" href="/feed.xml">',
        'href="/category/world/feed.xml"',
        '<link rel="icon" href="/favicon.svg" type="image/svg+xml">',
    ):
        assert tag in html, tag
    home = page(build(news_site(make_site)), "/")
    assert '<meta name="twitter:card" content="summary">' in home


def test_json_ld_describes_the_article_and_its_breadcrumb(make_site: SiteFactory) -> None:
    config = BASIC_CONFIG + "publisher: {company: Test Media Co.}\nparams: {logo: /images/kim.svg}\n"
    html = page(build(news_site(make_site, config)), "/article/chip-orders/")
    data = json_ld(html)
    news = data["NewsArticle"]
    assert news["headline"] == "Chip Orders Climb"
    assert news["datePublished"] == "2025-06-23T17:05:06+09:00"
    assert news["dateModified"] == "2025-06-24T09:00:00+09:00"
    assert news["author"] == [{"@type": "Person", "name": "KIM HANA",
                               "url": "https://news.example.com/author/kim-hana/"}]
    assert news["publisher"] == {"@type": "NewsMediaOrganization", "name": "Test Media Co.",
                                 "url": "https://news.example.com/",
                                 "logo": {"@type": "ImageObject", "url": "https://news.example.com/images/kim.svg"}}
    crumbs = data["BreadcrumbList"]["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Home", "World", "Chip Orders Climb"]  # type: ignore[index]
    exporters = json_ld(page(build(news_site(make_site)), "/article/exporters-gain/"))["NewsArticle"]
    assert exporters["image"] == ["https://news.example.com/images/port.jpg"]


def test_json_ld_cannot_be_broken_out_of(make_site: SiteFactory) -> None:
    title = "</script><script>alert(1)</script> & 'quotes'"
    site = make_site({"content/articles/x.md": article(title.replace('"', '\\"'), slug="x")})
    html = page(build(site), "/article/x/")
    assert "<script>alert(1)" not in html
    assert json_ld(html)["NewsArticle"]["headline"] == title


def test_article_page_shows_what_a_reader_expects(make_site: SiteFactory) -> None:
    html = page(build(news_site(make_site)), "/article/chip-orders/")
    expected = [
        '<li><a href="/">Home</a></li><li><a href="/category/world/">World</a></li>',  # breadcrumb
        '<a class="reporter" href="/author/kim-hana/">KIM HANA</a>',
        'Published : <time datetime="2025-06-23T17:05:06+09:00">2025-06-23 17:05:06</time>',
        'Updated : <time datetime="2025-06-24T09:00:00+09:00">2025-06-24 09:00:00</time>',
        'data-text-size="-1"', 'data-text-size="1"', "data-print",
        '<a href="/tag/trade/" rel="tag">#Trade</a>', '<a href="/tag/chips/" rel="tag">#Chips</a>',
        "https://www.facebook.com/sharer/sharer.php?u=https%3A//news.example.com/article/chip-orders/",
        "https://x.com/intent/tweet?url=https%3A//news.example.com/article/chip-orders/&amp;text=Chip%20Orders%20Climb",
        "https://social-plugins.line.me/lineit/share?url=https%3A//news.example.com/article/chip-orders/",
        "https://band.us/plugin/share?body=Chip%20Orders%20Climb%0Ahttps%3A//news.example.com/article/chip-orders/",
        "https://share.naver.com/web/shareView?url=https%3A//news.example.com/article/chip-orders/",
        'class="kakaotalk"',
        'data-copy-url="https://news.example.com/article/chip-orders/"',
        '<a href="/article/exporters-gain/" rel="prev">Exporters Gain</a>',  # older, same category
        "Kim covers trade.",  # reporter box
        '<img src="/images/kim.svg" alt="" width="72" height="72"',
    ]
    for fragment in expected:
        assert fragment in html, fragment
    related = html[html.index('id="related-heading"'):]
    related = related[:related.index("</section>")]
    assert '<a href="/article/exporters-gain/">Exporters Gain</a>' in related  # shares the Trade tag
    assert "Ship Deal" not in related  # shares no tag
    # Scripts only enhance: nothing loads from another host unless configured.
    assert not re.search(r'<script[^>]+src="https?://', html)
    assert "kakaocdn" not in html


def test_lead_image_has_its_caption_credit_and_alt_text(make_site: SiteFactory) -> None:
    html = page(build(news_site(make_site)), "/article/exporters-gain/")
    assert 'alt="Cranes at a port"' in html
    assert "<figcaption>Busan port <span class=\"credit\">Photo: Photo desk</span></figcaption>" in html


def test_korean_switches_ui_strings_and_dates(make_site: SiteFactory) -> None:
    site = news_site(make_site, BASIC_CONFIG.replace("language: en", "language: ko"))
    output = build(site)
    html = page(output, "/article/chip-orders/")
    assert '<html lang="ko">' in html
    assert "입력 : <time" in html and "수정 : <time" in html
    assert "KIM HANA</a> 기자" in html
    assert "2025.06.25 (수)" in html
    assert "핫이슈" in html  # Hot Issue heading: b.md is featured
    assert ">홈</a>" in html and "본문 바로가기" in html
    assert "카카오톡" in html and "네이버" in html
    assert "KIM HANA 기자" in page(output, "/author/kim-hana/")


def test_sidebar_ranks_most_viewed_and_weekly_hot_with_numbers(make_site: SiteFactory) -> None:
    stats = ("path,views,date\n/article/exporters-gain/,50,2025-06-29\n"
             "/article/chip-orders/,90,2025-06-29\n/article/ship-deal/,10,2025-06-10\n")
    html = page(build(news_site(make_site, **{"data/stats.csv": stats})), "/")
    most = html[html.index('id="most-viewed-heading"'):]
    most = most[:most.index("</ol>")]
    assert most.index("Chip Orders Climb") < most.index("Exporters Gain") < most.index("Ship Deal")
    weekly = html[html.index('id="weekly-hot-heading"'):]
    weekly = weekly[:weekly.index("</ol>")]
    assert "Ship Deal" not in weekly  # viewed only outside the last seven days
    assert 'id="hot-issue-heading">Hot Issue</h2>' in html


def test_reporter_box_lists_the_reporters_most_read_articles(make_site: SiteFactory) -> None:
    stats = "path,views\n/article/exporters-gain/,50\n/article/ship-deal/,70\n"
    html = page(build(news_site(make_site, **{"data/stats.csv": stats})), "/article/chip-orders/")
    box = html[html.index('class="reporter-box"'):]
    box = box[:box.index("</section>")]
    assert "Most read by KIM HANA" in box
    assert box.index("Ship Deal") < box.index("Exporters Gain")
    assert '<a href="/author/kim-hana/">All articles by KIM HANA</a>' in box


def test_theme_params_fill_logo_banner_ad_slots_and_advertise_link(make_site: SiteFactory) -> None:
    config = BASIC_CONFIG + """\
params:
  logo: /images/kim.svg
  banner_html: '<a href="https://ads.example.net/"><img src="/images/kim.svg" alt="Sponsor"></a>'
  advertise_page: /advertise/
  kakao_app_key: abc123
  ads:
    sidebar_top: '<p id="ad-top">Top ad</p>'
    article_bottom: '<p id="ad-bottom">Bottom ad</p>'
"""
    site = news_site(make_site, config, **{"content/pages/advertise.md": "---\ntitle: Advertise\n---\nHello.\n"})
    html = page(build(site), "/article/chip-orders/")
    assert '<img src="/images/kim.svg" alt="Test Times"' in html
    assert '<div class="banner"><a href="https://ads.example.net/">' in html
    assert '<p id="ad-top">Top ad</p>' in html and '<p id="ad-bottom">Bottom ad</p>' in html
    assert '<a class="advertise" href="/advertise/">Advertise with us</a>' in html
    assert 'data-kakao-key="abc123"' in html
    plain = page(build(news_site(make_site)), "/article/chip-orders/")
    assert "ad-top" not in plain and 'class="advertise"' not in plain and "data-kakao-key" not in plain


def test_listings_have_numbered_pagination(make_site: SiteFactory) -> None:
    files = {f"content/articles/n{i}.md": article(f"Story {i}", f"2025-06-{10 + i} 09:00:00+09:00")
             for i in range(5)}
    output = build(make_site(files))  # paginate: 2 -> three pages
    first = page(output, "/category/world/")
    assert '<a href="/category/world/" aria-current="page"><span class="visually-hidden">Page </span>1</a>' in first
    assert '<a href="/category/world/page/3/"><span class="visually-hidden">Page </span>3</a>' in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = page(output, "/category/world/page/2/")
    assert 'aria-current="page"><span class="visually-hidden">Page </span>2</a>' in second
    assert "<title>World - Page 2 - Test Times</title>" in second
    assert "5 articles" in page(output, "/articles/")


def test_reporter_page_puts_the_profile_on_top(make_site: SiteFactory) -> None:
    html = page(build(news_site(make_site)), "/author/kim-hana/")
    profile = html[html.index('class="list-header profile"'):html.index('class="items"')]
    for fragment in ("<h1>KIM HANA</h1>", "Senior Reporter", "Kim covers trade.", "mailto:hana@example.com",
                     "3 articles"):
        assert fragment in profile, fragment


def test_not_found_page_offers_a_way_on(make_site: SiteFactory) -> None:
    html = (build(news_site(make_site)) / "404.html").read_text("utf-8")
    assert '<meta name="robots" content="noindex">' in html
    for link in ('href="/"', 'href="/articles/"', 'href="/category/business/"', 'action="/search/"',
                 'href="/article/ship-deal/"'):
        assert link in html, link


def test_menu_and_footer_list_every_category_in_order(make_site: SiteFactory) -> None:
    html = page(build(news_site(make_site)), "/article/chip-orders/")
    nav = html[html.index('<ul class="categories">'):]
    nav = nav[:nav.index("</ul>")]
    assert re.findall(r'href="([^"]+)"', nav) == ["/category/world/", "/category/business/", "/category/culture/"]
    assert '<a href="/category/world/" aria-current="true">World</a>' in nav
    assert '<details class="menu-toggle"><summary>Menu</summary></details>' in html
    footer = html[html.index('class="footer-categories"'):]
    assert footer.index("/category/world/") < footer.index("/category/business/") < footer.index("/category/culture/")


def test_footer_shows_the_publisher_block(make_site: SiteFactory) -> None:
    config = BASIC_CONFIG + """\
publisher:
  company: Test Media Co.
  ceo: Han Ceo
  registration_number: Seoul A-1
  youth_protection_manager: Yoo Guard
  email: desk@example.com
  address: [1 Main St Seoul, 2 Harbor Rd Busan]
  fax: "+82-2-000-0001"
  copyright: Copyright Test Media
"""
    html = page(build(news_site(make_site, config)), "/")
    footer = html[html.index('<footer class="site-footer">'):]
    for fragment in ("Test Media Co.", "<dt>CEO</dt><dd>Han Ceo</dd>", "<dt>Registration No.</dt><dd>Seoul A-1</dd>",
                     "<dt>Youth Protection Manager</dt><dd>Yoo Guard</dd>",
                     '<a href="mailto:desk@example.com">desk@example.com</a>', "Copyright Test Media",
                     "<dt>Address</dt><dd>1 Main St Seoul · 2 Harbor Rd Busan</dd>",
                     "<dt>Fax</dt><dd>+82-2-000-0001</dd>"):
        assert fragment in footer, fragment


def test_a_site_overrides_a_theme_template_and_a_static_file(make_site: SiteFactory) -> None:
    site = news_site(make_site, **{
        "templates/_sidebar.html": '<aside class="sidebar">Our own sidebar</aside>\n',
        "static/assets/gettimes.css": "body { color: red; }\n",
    })
    output = build(site)
    assert "Our own sidebar" in page(output, "/")
    assert (output / "assets" / "gettimes.css").read_text("utf-8") == "body { color: red; }\n"
    assert (output / "assets" / "gettimes.js").is_file()
    assert (output / "favicon.svg").is_file()


def test_a_site_in_a_subfolder_gets_each_prefix_once(make_site: SiteFactory) -> None:
    config = BASIC_CONFIG.replace("https://news.example.com", "https://example.org/news") + \
        "params: {logo: /images/kim.svg}\n"
    html = page(build(news_site(make_site, config)), "/article/exporters-gain/")
    assert '<link rel="canonical" href="https://example.org/news/article/exporters-gain/">' in html
    assert '<meta property="og:image" content="https://example.org/news/images/port.jpg">' in html
    assert '<img src="/news/images/port.jpg"' in html
    assert '<a href="/news/category/world/">World</a>' in html
    news = json_ld(html)["NewsArticle"]
    assert news["publisher"]["logo"]["url"] == "https://example.org/news/images/kim.svg"  # type: ignore[index]
    assert "/news/news/" not in html
