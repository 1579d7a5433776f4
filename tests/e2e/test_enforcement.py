"""A case from lead to closed in a real browser: the inspector records a lead and proposes the case,
the department head files it, the inspector investigates and issues a suspension notice the platform
acknowledges on its page, the head approves the decision, the inspector issues the penalty decision,
the closure proposal and the judicial transfer, and closes the case. Every document is a PDF that
renders Chinese; the party sees its documents in its portal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.models import Organisation
from ecredit.demo.data import ACCOUNTS, ORGS
from ecredit.registry import services as registry
from ecredit.registry.models import Entity
from ecredit.registry.services import EntityData
from tests.cast import PASSWORD
from tests.e2e.pages import log_in
from tests.pdfcheck import assert_renders_chinese
from tests.registry.helpers import make_uscc

PASSWORDS = {account.username: account.password for account in ACCOUNTS}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def org(key: str) -> Organisation:
    name = next(o.name for o in ORGS if o.key == key)
    return Organisation.objects.get(name=name)


def setting_up() -> tuple[Entity, Entity]:
    """A seller on a platform (each run by its demo organisation) and a second inspector at SAMR."""
    seller = registry.register_entity(
        SYSTEM,
        EntityData(name="南安市浏览器执法测试鞋业有限公司", kind="legal_person", roles=["seller"], uscc=make_uscc()),
        organisation=org("seller"),
    )
    platform = registry.register_entity(
        SYSTEM,
        EntityData(name="闽南浏览器测试购物平台有限公司", kind="legal_person", roles=["platform"], uscc=make_uscc()),
        organisation=org("platform"),
    )
    return seller, platform


def as_user(browser: Browser, live_server: LiveServer, username: str) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(5_000)
    page = context.new_page()
    log_in(page, username, PASSWORDS.get(username, PASSWORD))
    return page


def fire(page: Page, button: str, **fields: str) -> None:
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_text(f"已执行：{button}。")).to_be_visible()


def issue(
    page: Page, kind: str, fields: dict[str, str], checks: tuple[str, ...] = (), selects: dict[str, str] | None = None
) -> str:
    page.get_by_role("link", name=kind, exact=True).click()
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    for label in checks:
        page.get_by_label(label, exact=True).check()
    for label, value in (selects or {}).items():
        page.get_by_label(label).select_option(label=value)
    page.get_by_role("button", name="签发", exact=True).click()
    notice = page.locator(".messages li").filter(has_text="已签发")
    expect(notice).to_be_visible()
    return notice.inner_text().removeprefix("已签发 ").removesuffix("。")


def pdf_renders(page: Page, live_server: LiveServer, number: str, expected: str, tmp_path: Path) -> None:
    href = page.get_by_role("link", name=number, exact=True).get_attribute("href")
    assert href
    response = page.request.get(live_server.url + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    folder = tmp_path / number.replace("〔", "-").replace("〕", "-")
    folder.mkdir()
    assert_renders_chinese(response.body(), expected, folder)


def test_it_takes_a_case_from_lead_to_closed_through_the_pages(
    page: Page,
    page_errors: list[str],
    browser: Browser,
    live_server: LiveServer,
    context: BrowserContext,
    tmp_path: Path,
) -> None:
    seller, platform = setting_up()
    party = seller.uscc or ""

    # The inspector records a lead and proposes a case.
    log_in(page, "inspector", PASSWORDS["inspector"])
    page.get_by_role("link", name="执法办案").first.click()
    page.get_by_role("link", name="线索", exact=True).click()
    page.get_by_label("线索来源").select_option("complaint")
    page.get_by_label("来源编号").fill("TS-2026-088")
    page.get_by_label("涉及主体的统一社会信用代码").fill(party)
    page.get_by_label("线索内容").fill("消费者投诉该店销售的儿童运动鞋无中文标签")
    page.get_by_role("button", name="登记线索").click()
    expect(page.get_by_text("已登记线索")).to_be_visible()
    page.get_by_label("案由").fill("销售标签标识不合规的儿童运动鞋")
    page.get_by_label("平台或基础服务经营者统一社会信用代码").fill(platform.uscc or "")
    page.get_by_label("第十四条第（九）项 销售假冒伪劣或标签标识不合规的商品").check()
    page.get_by_label("黄执法").check()
    page.get_by_label("法律依据").fill("《中华人民共和国产品质量法》第五十四条")
    page.get_by_role("button", name="提请立案").click()
    expect(page.get_by_test_id("case-state")).to_have_attribute("data-state", "lead")
    case_url = page.url
    # An inspector may not file: the table leaves the button out.
    expect(page.get_by_role("button", name="批准立案")).to_have_count(0)

    # The department head files it: a number and a deadline.
    chief = as_user(browser, live_server, "chief")
    chief.goto(case_url)
    fire(chief, "批准立案")
    expect(chief.get_by_test_id("case-state")).to_have_attribute("data-state", "filed")
    number = chief.get_by_role("heading", level=1).inner_text().split(" ")[0]
    assert number.startswith("南市监立〔") and number.endswith("〕1号")

    # The inspector investigates: a record, a piece of evidence, a suspension notice. A colleague's
    # page, opened before, still offers 开始调查: the table refuses it the second time, with a message.
    colleague = as_user(browser, live_server, "inspector2")
    colleague.goto(case_url)
    page.goto(case_url)
    fire(page, "开始调查")
    colleague.get_by_role("button", name="开始调查", exact=True).click()
    expect(colleague.get_by_text("案件当前状态为“调查中”，不能执行“开始调查”")).to_be_visible()
    expect(colleague.get_by_test_id("case-state")).to_have_attribute("data-state", "investigating")
    page.get_by_text("制作笔录").click()
    now = dt.datetime.now(SHANGHAI)
    page.get_by_label("笔录类型").select_option("inspection")
    page.get_by_label("开始时间").fill((now - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("结束时间").fill((now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("地点").fill("南安市溪美街道当事人仓库")
    page.get_by_label("执法人员及证号").fill("陈执法（35058301）、inspector2（35058302）")
    page.get_by_label("被询问人或现场负责人").fill("当事人负责人 洪某")
    page.get_by_label("检查的计算机、网络设备及资料").fill("网店后台所在电脑 1 台、路由器 1 台")
    page.get_by_label("笔录内容").fill("现场查见无中文标签的儿童运动鞋 80 双。")
    page.get_by_label("当事人已核对笔录并签字确认").check()
    page.get_by_role("button", name="保存笔录").click()
    expect(page.get_by_text("已保存笔录。")).to_be_visible()
    page.get_by_text("添加证据", exact=True).first.click()
    page.get_by_label("证据名称").fill("商品页面截图")
    page.get_by_label("证据文件").set_input_files(
        files=[{"name": "page.png", "mimeType": "image/png", "buffer": b"\x89PNG screenshot"}]
    )
    page.get_by_role("button", name="添加证据").click()
    expect(page.get_by_text("已添加证据。")).to_be_visible()
    due = (dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=3)).isoformat()
    suspension = issue(page, "暂停提供服务通知书", {"执行期限": due, "需暂停的服务": "暂停该店铺全部商品的展示与交易"})
    pdf_renders(page, live_server, suspension, "暂停提供服务通知书", tmp_path)

    # The platform acknowledges it on its page and reports compliance.
    platform_page = as_user(browser, live_server, "platform")
    platform_page.get_by_role("link", name="执法通知").first.click()
    expect(platform_page.get_by_role("heading", name=suspension)).to_be_visible()
    platform_page.get_by_role("button", name="签收").click()
    expect(platform_page.get_by_text(f"已签收 {suspension}。")).to_be_visible()
    platform_page.get_by_label("执行情况").fill("已暂停该店铺全部商品的展示与交易")
    platform_page.get_by_role("button", name="报告执行情况").click()
    expect(platform_page.get_by_text("已报告执行情况。")).to_be_visible()

    # Decision: the inspector submits, the head approves.
    page.goto(case_url)
    expect(page.get_by_test_id("notice-status").first).to_contain_text("已报告执行")
    fire(page, "调查终结，提请决定")
    chief.goto(case_url)
    fire(chief, "批准处理决定", 处理决定="给予警告并处罚款五千元，建议关闭网站，涉嫌犯罪部分移送公安机关")

    # The inspector issues the penalty decision, the closure proposal and the judicial transfer.
    page.goto(case_url)
    penalty = issue(
        page,
        "行政处罚决定书",
        {
            "违法事实": "当事人在其网店销售无中文标签的儿童运动鞋 80 双，货值 8000 元。",
            "处罚依据": "《中华人民共和国产品质量法》第五十四条",
            "罚款金额（元）": "5000",
        },
        checks=("警告", "罚款"),
        selects={"情节": "一般"},
    )
    assert penalty.startswith("南市监处罚〔")
    pdf_renders(page, live_server, penalty, "行政处罚决定书", tmp_path)
    closure = issue(
        page,
        "行政建议书（关闭网站）",
        {"电信运营商": "中国电信股份有限公司泉州分公司", "需关闭的网站": "kids-shoes.example.cn"},
    )
    pdf_renders(page, live_server, closure, "行政建议书", tmp_path)
    transfer = issue(
        page,
        "案件移送书",
        {
            "接收的司法机关": "南安市公安局",
            "移送理由": "当事人另有仓库存放伪劣童鞋，货值超过五万元，涉嫌销售伪劣产品罪",
            "案卷材料清单（每行一项）": "立案审批表\n检查笔录 1 份\n商品页面截图 1 份",
        },
    )
    pdf_renders(page, live_server, transfer, "案件移送书", tmp_path)

    # Execution and closing.
    fire(page, "进入执行")
    page.get_by_role("button", name="登记网站已关闭").click()
    expect(page.get_by_text("已登记网站关闭")).to_be_visible()
    fire(page, "结案", 结案理由="罚款已缴纳，网站已关闭，涉嫌犯罪部分已移送")
    expect(page.get_by_test_id("case-state")).to_have_attribute("data-state", "closed")
    timeline = page.get_by_test_id("timeline")
    for text in ("提请立案", "批准立案", "签收", "行政处罚决定书", "网站", "结案"):
        expect(timeline).to_contain_text(text)

    # The party sees the documents of its case in its portal; the QR page confirms one.
    seller_page = as_user(browser, live_server, "seller")
    seller_page.get_by_role("link", name="我的执法文书").first.click()
    for issued in (suspension, penalty, closure, transfer):
        expect(seller_page.get_by_role("link", name=issued, exact=True)).to_be_visible()

    for other in (chief, colleague, platform_page, seller_page):
        other.context.close()
    assert page_errors == []


def test_it_flags_an_overdue_case_on_the_heads_dashboard(page: Page, page_errors: list[str]) -> None:
    import datetime as dt2

    from ecredit.accounts.models import User
    from ecredit.accounts.services import actor_for_user
    from ecredit.enforcement import services
    from ecredit.enforcement.services import PartyIn

    seller, platform = setting_up()
    inspector = actor_for_user(User.objects.get(username="inspector"))
    chief = actor_for_user(User.objects.get(username="chief"))
    case = services.propose_case(
        actor=inspector,
        title="虚假宣传儿童运动鞋功效",
        parties=[PartyIn(seller, platform)],
        conduct=["14.5"],
        officers=list(User.objects.filter(username__in=["inspector", "inspector2"])),
        on=dt2.date(2026, 1, 5),
    )
    case = services.fire(actor=chief, case=case, transition="file", on=dt2.date(2026, 1, 5))
    log_in(page, "chief", PASSWORDS["chief"])
    panel = page.get_by_test_id("due-panel")
    expect(panel).to_contain_text(case.number)
    expect(panel).to_contain_text("已逾期")
    page.get_by_role("link", name="执法办案").first.click()
    page.get_by_label("期限").select_option("overdue")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("case-row")).to_have_count(1)
    expect(page.get_by_test_id("case-row")).to_contain_text("已逾期")
    assert page_errors == []
