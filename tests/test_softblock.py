"""docspider.softblock: 200 pages that are walls, empty, binary or garbled, and no false alarm on
real document pages (the project's fixtures and, when present, the ../shared dev corpora)."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from docspider.decode import UndecodableError, decode_page
from docspider.softblock import KINDS, soft_block

SITE = Path(__file__).resolve().parent / "fixtures" / "site"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def kind_of(html: str, encoding: str = "utf-8") -> str | None:
    """Encode a page as a server would, decode it as the crawler does, and classify it."""
    body = html.encode(encoding)
    try:
        text, _ = decode_page(body, is_html=True)
    except UndecodableError:
        text = None
    return soft_block(body, text)


def page(title: str, body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{head}'
            f"</head><body>{body}</body></html>")


# --- walls ---------------------------------------------------------------------------------

CHALLENGE_SCRIPT = "<script>(function(){var t=Date.now();window._cf={t:t,r:'8a1b2c'};})();</script>"

WALLS = {
    "zh-captcha": (page("安全验证 - 某某文库", """
        <div class="verify-box"><img src="/static/logo.png" alt="">
          <p class="verify-title">请完成下方验证后继续访问</p>
          <div id="slider">向右拖动滑块填充拼图</div>
          <p class="verify-tip">验证码加载失败？<a href="#">刷新</a></p>
        </div>""", "<style>.verify-box{margin:80px auto;width:320px}</style>"), "captcha"),
    "zh-captcha-brand-title": (page("百度安全验证", """
        <div class="timeout"><p class="timeout-title">网络不给力，请稍后重试</p>
        <a class="timeout-button" href="#">返回首页</a></div>"""), "captcha"),
    "zh-captcha-no-title": (page("", """
        <div class="wrap"><h3>人机验证</h3><p>为了您的账号安全，请按住滑块，拖动到最右边</p>
        <div class="nc-container"></div><p>问题反馈</p></div>"""), "captcha"),
    "zh-login-wall": (page("用户登录_某某文库", """
        <div class="login"><h2>账号登录</h2>
          <form><label>手机号</label><input name="phone"><label>密码</label><input name="pw">
          <label>验证码</label><input name="code"><button>登录</button></form>
          <p>还没有账号？<a href="/reg">免费注册</a> | <a href="/pw">忘记密码</a></p>
        </div>"""), "login"),
    "zh-login-notice": (page("某某文库", """
        <div class="tip-box"><p>请登录后查看完整文档</p>
        <a class="btn" href="/login">立即登录</a><a href="/">返回首页</a></div>"""), "login"),
    "zh-too-frequent": (page("提示信息", """
        <div class="msg"><h1>访问过于频繁</h1>
        <p>系统检测到您的IP访问过于频繁，请稍后再试。</p>
        <p>如有疑问请联系客服：400-000-0000</p></div>"""), "access_denied"),
    "zh-access-error": (page("您的访问出错了", """
        <div class="err"><p>抱歉，您访问的页面暂时无法打开</p><a href="/">返回首页</a></div>"""),
        "access_denied"),
    "zh-access-denied": (page("403", """
        <div class="box"><p>访问被拒绝</p><p>您的请求带有不合法参数，已被网站管理员设置拦截！</p>
        <p>可能原因：您提交的内容包含危险的攻击请求</p></div>"""), "access_denied"),
    "en-attention-required": (page("Attention Required! | Cloudflare", """
        <div id="cf-wrapper"><h1><span>Please enable cookies.</span></h1>
          <h2>One more step</h2><h2>Please complete the security check to access
          example.com</h2>
          <div class="cf-column"><h2>Why do I have to complete a CAPTCHA?</h2>
          <p>Completing the CAPTCHA proves you are a human and gives you temporary access to
          the web property.</p></div>
          <p>Cloudflare Ray ID: 8a1b2c3d4e5f6a7b &bull; Your IP: 203.0.113.9</p>
        </div>""", CHALLENGE_SCRIPT), "captcha"),
    "en-checking-browser": (page("Just a moment...", """
        <div class="main-wrapper"><h1 class="zone-name-title">example.com</h1>
          <h2>Checking your browser before accessing example.com.</h2>
          <noscript>Enable JavaScript and cookies to continue</noscript>
          <p>This process is automatic. Your browser will redirect to your requested content
          shortly.</p></div>""", CHALLENGE_SCRIPT), "captcha"),
    "en-verify-human": (page("DocShare", """
        <main><p>Please verify you are a human</p><div class="g-recaptcha"></div>
        <p>Access to this page has been denied because we believe you are using automation
        tools to browse the website.</p></main>"""), "captcha"),
    "en-access-denied": ("""<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY>
        <H1>Access Denied</H1>You don't have permission to access
        "http://www.example.com/doc/1.html" on this server.<P>Reference #18.5e2a1b17.1700000000
        </BODY></HTML>""", "access_denied"),
    "en-403-forbidden": ("""<html><head><title>403 Forbidden</title></head><body>
        <center><h1>403 Forbidden</h1></center><hr><center>nginx</center></body></html>""",
        "access_denied"),
    "en-too-many-requests": (page("Error", """<h1>Too Many Requests</h1>
        <p>You have sent too many requests in a given amount of time. Try again later.</p>"""),
        "access_denied"),
    "en-login": (page("Sign in | DocShare", """
        <div class="auth"><h1>Sign in to continue</h1><form><label>Email</label><input>
        <label>Password</label><input type="password"><button>Sign in</button></form>
        <p>New here? <a href="/join">Create an account</a></p></div>"""), "login"),
    "en-login-notice": (page("DocShare", """
        <div class="gate"><p>You must be logged in to view this document.</p>
        <a href="/login">Log in</a> or <a href="/join">sign up</a></div>"""), "login"),
    "plain-text-rate-limit": ("Too Many Requests\n", "access_denied"),
    # 600-3000 visible characters: only a title or <h1>/<h2> dominated by a marker counts.
    "en-blocked-wordy": (page("Access denied | example.com used Cloudflare to restrict access", """
        <div id="cf-wrapper"><h1>Sorry, you have been blocked</h1>
        <h2>You are unable to access example.com</h2>
        <h2>Why have I been blocked?</h2>
        <p>This website is using a security service to protect itself from online attacks. The
        action you just performed triggered the security solution. There are several actions
        that could trigger this block including submitting a certain word or phrase, a SQL
        command or malformed data.</p>
        <h2>What can I do to resolve this?</h2>
        <p>You can email the site owner to let them know you were blocked. Please include what
        you were doing when this page came up and the Cloudflare Ray ID found at the bottom of
        this page.</p>
        <p>Cloudflare Ray ID: 8a1b2c3d4e5f6a7b &bull; Your IP: 203.0.113.9 &bull; Performance
        &amp; security by Cloudflare</p>
        <p>If you believe this is an error, contact the site administrator and mention the time
        of the request, your network and the page you were trying to reach. Automated access
        from data centres, crawlers and scripts is not permitted on this site without a prior
        written agreement with the owner.</p></div>"""), "access_denied"),
}


@pytest.mark.parametrize("html, kind", list(WALLS.values()), ids=list(WALLS))
def test_wall_pages(html, kind):
    assert kind in KINDS
    assert kind_of(html) == kind


def test_gbk_captcha_page():
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">'
            "<title>滑动验证</title></head><body><p>请拖动滑块完成拼图</p></body></html>")
    assert kind_of(html, "gb18030") == "captcha"


def test_login_page_asking_for_a_captcha_is_a_login_wall():
    # The title decides: a login form with a 验证码 field is a login wall.
    html = page("会员登录", "<h3>请输入验证码</h3><form><input name=user><input name=code></form>")
    assert kind_of(html) == "login"


def test_challenge_page_without_visible_text_takes_its_title_kind():
    html = page("安全验证", "", CHALLENGE_SCRIPT)
    assert kind_of(html) == "captcha"


# --- empty, binary, garbled ----------------------------------------------------------------

@pytest.mark.parametrize("body, text", [
    (b"", None),
    (b"", ""),
    (b" \r\n\t ", " \r\n\t "),
    (b"<html><body></body></html>", "<html><body></body></html>"),
    (b"<!DOCTYPE html><html><head><title></title></head><body>\n  <div> </div>\n</body></html>",
     None),
    (b"<html><head><script>location.replace('/a')</script><style>p{}</style></head>"
     b"<body><!-- nothing --><script>var x = 1;</script></body></html>", None),
], ids=["no-bytes", "no-text", "whitespace", "html-shell", "blank-divs", "scripts-only"])
def test_empty(body, text):
    if text is None and body.strip():
        text = body.decode("utf-8")
    assert soft_block(body, text) == "empty"


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.mark.parametrize("body", [
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
    PNG,
    b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff",
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01",
    b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 24,
    b"\r\n%PDF-1.4\n",
    b"<html><body>text\x00with a NUL</body></html>",
], ids=["pdf", "png", "zip", "gif", "jpeg", "gzip", "ole2-doc", "pdf-after-newline", "nul"])
def test_binary(body):
    assert soft_block(body, None) == "binary"
    # Even if some decoder produced text from it, the bytes say what it is.
    assert soft_block(body, body.decode("latin-1")) == "binary"


def test_utf16_page_with_bom_is_not_binary():
    html = page("社区图书室借阅管理制度", "<h1>社区图书室借阅管理制度</h1><p>第一条 为规范借阅管理，制定本制度。</p>")
    body = codecs.BOM_UTF16_LE + html.encode("utf-16-le")
    text, _ = decode_page(body, is_html=True)
    assert soft_block(body, text) is None


def test_garbled_replacement_characters():
    noise = "\ufffd\ufffd\ufffd\ufffd 1\ufffd\ufffd2 " * 40
    html = page("\ufffd\ufffd\ufffd", f"<p>{noise}</p>")
    assert soft_block(html.encode("utf-8"), html) == "garbled"


def test_garbled_undecodable_bytes():
    body = b"<html><body><p>" + bytes(range(0x80, 0x100)) * 4 + b"</p></body></html>"
    assert soft_block(body, None) == "garbled"


def test_garbled_control_characters():
    noise = "\x01\x02\x03\x04\x05\x06 ab\x07\x08\x0e\x0f " * 30
    html = f"<html><body><pre>{noise}</pre></body></html>"
    assert soft_block(html.encode("utf-8"), html) == "garbled"


def test_garbled_mojibake():
    text = "第一条 为规范社区图书室的借阅管理，保障读者权益，制定本制度。" * 6
    html = page("借阅制度", "<p>" + text.encode("utf-8").decode("latin-1") + "</p>")
    assert soft_block(html.encode("utf-8"), html) == "garbled"


def test_a_few_bad_characters_do_not_make_a_page_garbled():
    text = "第一条 为规范社区图书室的借阅管理，保障读者权益，制定本制度。" * 6
    html = page("借阅制度", "<p>" + text + "\ufffd\ufffd 拔颐且欢? 锟斤拷</p>")
    assert soft_block(html.encode("utf-8"), html) is None


# --- no false positives ----------------------------------------------------------------------

NAV_ZH = """<div class="top"><a href="/">首页</a> <a href="/login">登录</a> | <a href="/reg">注册</a>
  <span>你好，请登录</span> <a href="/cat">全部分类</a></div>"""
SIDEBAR_ZH = """<div class="side"><h3>用户登录</h3><form>用户名 密码 验证码 <button>登录</button></form>
  <h3>相关文档</h3><ul><li>网站验证码设计规范.doc</li><li>用户登录模块测试用例.docx</li></ul></div>"""
FOOTER_ZH = """<div class="footer">关于我们 | 联系我们 | 版权声明 | 侵权投诉 © 2024 某某文库 沪ICP备00000000号</div>"""


def zh_document(paragraphs: int) -> str:
    text = "".join(
        f"<p>{n}、系统登录时须输入短信验证码，验证码有效期为五分钟；连续三次输入错误的，账号锁定三十分钟，"
        "由管理员核实身份后解锁。访问被拒绝的请求应记录日志并按月汇总分析。</p>"
        for n in range(1, paragraphs + 1))
    return page("网站用户安全管理制度.doc-某某文库", f"""{NAV_ZH}
        <div class="crumb">当前位置：首页 › 管理制度 › 网站用户安全管理制度</div>
        <h1>网站用户安全管理制度</h1><div class="info">上传人：李** 页数：5 大小：32KB</div>
        <div class="content">{text}</div>
        <div class="tip">温馨提示：免费预览已结束，请登录后下载完整文档。</div>
        {SIDEBAR_ZH}{FOOTER_ZH}""")


@pytest.mark.parametrize("paragraphs", [2, 6, 40], ids=["short", "middle", "long"])
def test_document_mentioning_captcha_with_login_nav_is_not_a_wall(paragraphs):
    assert kind_of(zh_document(paragraphs)) is None


def test_english_document_mentioning_captcha_and_login_is_not_a_wall():
    body = "".join(
        f"<p>{n}. Members log in with their library card number. After three failed attempts a "
        "CAPTCHA is shown; too many requests from one terminal lock it for ten minutes.</p>"
        for n in range(1, 8))
    html = page("Tool Library Membership Rules - PDF Free Download", f"""
        <header><a href="/">DocShare</a> <a href="/login">Log in</a> <a href="/join">Sign up</a>
        </header><h1>Tool Library Membership Rules</h1><div class="doc">{body}</div>
        <aside><h2>Similar documents</h2><ul><li>Access denied errors explained</li></ul></aside>
        <footer>© 2024 DocShare. Login · Privacy · Contact</footer>""")
    assert kind_of(html) is None


@pytest.mark.parametrize("title", ["网络安全验证技术综述.doc-某某文库", "验证码识别算法研究与实现.pdf_文档之家",
                                   "CAPTCHA design guidelines for accessible login forms - PDF"])
def test_document_titled_with_a_wall_word_is_not_a_wall(title):
    body = "".join(f"<p>{n}、本文讨论验证码与登录流程的设计，并给出测试方法和评价指标，供开发人员参考使用。</p>"
                   for n in range(1, 25))
    assert kind_of(page(title, f"{NAV_ZH}<h1>{title.split('.')[0]}</h1>{body}{FOOTER_ZH}")) is None


def test_long_pages_are_never_walls():
    body = "".join(f"<p>第{n}段：正文内容足够长，这是一份完整的文档，而不是验证页面。</p>" for n in range(200))
    assert kind_of(page("Access Denied", "<h1>访问被拒绝</h1>" + body)) is None


def fixture_pages() -> list[Path]:
    return sorted(SITE.rglob("*.html"))


def test_fixture_site_has_pages():
    assert len(fixture_pages()) >= 20


@pytest.mark.parametrize("path", fixture_pages(), ids=lambda p: str(p.relative_to(SITE)))
def test_no_false_positive_on_fixture_pages(path):
    data = path.read_bytes()
    text, _ = decode_page(data, is_html=True)
    assert soft_block(data, text) is None


@pytest.mark.parametrize("corpus", ["dev", "dev-wild"])
def test_no_false_positive_on_shared_corpus(corpus):
    folder = SHARED / "corpus" / corpus
    if not folder.is_dir():
        pytest.skip(f"{folder} not present")
    pages = sorted(folder.glob("*.html"))
    assert pages, f"no .html pages in {folder}"
    flagged = {}
    for path in pages:
        data = path.read_bytes()
        text, _ = decode_page(data, is_html=True)
        if (kind := soft_block(data, text)) is not None:
            flagged[path.name] = kind
    assert flagged == {}
