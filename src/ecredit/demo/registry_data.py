"""The demo registry: about 300 invented online sellers, platforms and hosting firms of 南安市.

Pure data: :func:`build` turns a seed (``random.Random(2026)``) and today's date into plain
dataclasses; ``demo.services`` feeds them to the registry services one by one, as a person would.

Everything here is made up. Names follow the local pattern (``南安市仑苍某某水暖洁具有限公司``) in
the city's real townships and industries; codes are random bodies with correct check characters
(python-stdnum), never a real firm's; domains end in ``-demo`` under a real public suffix;
IP addresses come from the documentation ranges (RFC 5737, RFC 3849).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from stdnum.cn import ric, uscc

SEED = 2026
DIVISION = "350583"  # 南安市
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

#: 南安市's 3 streets, 21 towns and 2 townships (乡镇街道), as the city lists them.
TOWNSHIPS = (
    "溪美街道",
    "柳城街道",
    "美林街道",
    "省新镇",
    "东田镇",
    "英都镇",
    "翔云镇",
    "金淘镇",
    "诗山镇",
    "蓬华镇",
    "码头镇",
    "九都镇",
    "乐峰镇",
    "罗东镇",
    "梅山镇",
    "洪梅镇",
    "康美镇",
    "丰州镇",
    "霞美镇",
    "官桥镇",
    "石井镇",
    "水头镇",
    "仑苍镇",
    "眉山乡",
    "向阳乡",
    "洪濑镇",
)


class Fate(StrEnum):
    """Where an entity's filing ends up once the demo has played it through the services."""

    NONE = "none"  # registered, never filed
    DRAFT = "draft"  # filing opened, not yet declared
    SUBMITTED = "submitted"  # in the review queue
    APPROVED = "approved"
    RETURNED = "returned"  # sent back with reasons
    RETURNED_FIXED = "returned_fixed"  # returned, corrected as version 2, approved
    AMENDED_APPROVED = "amended_approved"  # approved, changed as version 2, approved again
    AMENDED_PENDING = "amended_pending"  # approved, version 2 waiting for review
    AMENDED_DRAFT = "amended_draft"  # approved, version 2 being prepared
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    DEREGISTERED = "deregistered"


#: The fates after which the filing's status is ``approved``.
APPROVED_FATES = frozenset({Fate.APPROVED, Fate.RETURNED_FIXED, Fate.AMENDED_APPROVED})
#: The fates after which the filing waits in the review queue.
WAITING_FATES = frozenset({Fate.SUBMITTED, Fate.AMENDED_PENDING})


@dataclass(frozen=True)
class DemoFiling:
    """The Art. 8 items of one filing version (``registry.services.FilingData``)."""

    contact_name: str
    contact_phone: str
    contact_email: str
    address: str
    websites: tuple[dict[str, str], ...] = ()
    other_items: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoStorefront:
    platform: str  # the ``key`` of a platform DemoEntity
    shop_name: str
    shop_url: str
    shop_id: str


@dataclass(frozen=True)
class DemoPermit:
    kind: str  # registry.models.PermitKind
    number: str
    issuer: str
    valid_from: dt.date
    valid_until: dt.date


@dataclass(frozen=True)
class DemoEntity:
    key: str
    name: str
    kind: str  # registry.models.EntityKind
    roles: tuple[str, ...]
    uscc: str = ""
    resident_id: str = ""
    address: str = ""
    industry: str = ""
    township: str = ""
    sells_permit_goods: bool = False
    trades_in_enterprise_name: bool = False
    organisation: str = ""  # the key of a demo organisation (demo.data.ORGS) whose users act for it
    fate: Fate = Fate.NONE
    filing: DemoFiling | None = None
    amendment: DemoFiling | None = None  # version 2, for the fates that have one
    reason: str = ""  # return reasons, or the reason of a suspension, revocation or deregistration
    storefronts: tuple[DemoStorefront, ...] = ()
    permits: tuple[DemoPermit, ...] = ()

    @property
    def division(self) -> str:
        return self.uscc[2:8] if self.uscc else self.resident_id[:6]


# --- the city's industries ------------------------------------------------------------------------


@dataclass(frozen=True)
class Industry:
    name: str
    slug: str  # for invented domains
    townships: tuple[str, ...]  # where the trade clusters (repeats weigh)
    nouns: tuple[str, ...]  # company name: 南安市<字号><noun>有限公司
    shops: tuple[str, ...]  # 个体工商户 name: 南安市<镇><字号><shop>
    goods: tuple[tuple[str, int], ...]  # (goods, 食品生产许可 category or 0)
    weight: int
    food: bool = False


INDUSTRIES = (
    Industry(
        "卫浴水暖",
        "weiyu",
        ("仑苍镇", "仑苍镇", "仑苍镇", "仑苍镇", "水头镇", "水头镇", "英都镇", "英都镇", "美林街道", "霞美镇"),
        ("水暖洁具", "卫浴", "厨卫", "阀门", "水暖器材", "卫浴科技"),
        ("水暖经营部", "卫浴商行", "洁具店"),
        tuple((g, 0) for g in ("水龙头", "花洒", "角阀", "地漏", "卫浴挂件", "淋浴房", "恒温阀", "厨房龙头", "浴室柜")),
        22,
    ),
    Industry(
        "石材",
        "shicai",
        ("水头镇", "水头镇", "水头镇", "水头镇", "石井镇", "石井镇", "官桥镇", "官桥镇"),
        ("石业", "石材", "石材工艺品", "石材贸易"),
        ("石材经营部", "石材加工厂", "石雕工艺店"),
        tuple(
            (g, 0) for g in ("花岗岩板材", "大理石台面", "石雕工艺品", "文化石", "石材马赛克", "岩板茶盘", "石材洗手盆")
        ),
        14,
    ),
    Industry(
        "茶叶",
        "chaye",
        (
            "向阳乡",
            "向阳乡",
            "翔云镇",
            "翔云镇",
            "金淘镇",
            "诗山镇",
            "蓬华镇",
            "眉山乡",
            "九都镇",
            "乐峰镇",
            "罗东镇",
            "码头镇",
        ),
        ("茶业", "茶叶", "生态茶业", "茶文化传播"),
        ("茶叶店", "茶行", "茶庄"),
        (("铁观音", 14), ("石亭绿", 14), ("乌龙茶", 14), ("红茶", 14), ("白茶", 14), ("茶叶礼盒", 14)),
        14,
        food=True,
    ),
    Industry(
        "食品",
        "shipin",
        (
            "洪濑镇",
            "洪濑镇",
            "洪濑镇",
            "官桥镇",
            "诗山镇",
            "康美镇",
            "溪美街道",
            "柳城街道",
            "丰州镇",
            "金淘镇",
            "码头镇",
        ),
        ("食品", "农产品", "食品科技", "农业发展"),
        ("食品店", "食品商行", "卤味坊"),
        (
            ("洪濑鸡爪", 4),
            ("肉松", 4),
            ("花生糖", 13),
            ("绿豆饼", 24),
            ("蜜饯", 17),
            ("紫菜", 22),
            ("米粉", 1),
            ("地瓜干", 16),
        ),
        14,
        food=True,
    ),
    Industry(
        "服装鞋帽",
        "xiefu",
        ("霞美镇", "霞美镇", "霞美镇", "丰州镇", "丰州镇", "柳城街道", "美林街道", "溪美街道", "省新镇"),
        ("鞋业", "服饰", "制衣", "帽业", "鞋服", "织造"),
        ("服装店", "鞋店", "服饰商行"),
        tuple((g, 0) for g in ("运动鞋", "休闲鞋", "拖鞋", "童装", "T恤", "棒球帽", "工作服", "袜子")),
        14,
    ),
    Industry(
        "光电信息",
        "guangdian",
        ("东田镇", "东田镇", "东田镇", "溪美街道", "美林街道"),
        ("光电科技", "电子科技", "照明科技", "新能源科技"),
        ("电子经营部", "灯饰店"),
        tuple((g, 0) for g in ("LED灯珠", "LED灯具", "太阳能路灯", "光伏组件", "智能开关", "充电器")),
        6,
    ),
    Industry(
        "建材家居",
        "jiancai",
        ("官桥镇", "洪梅镇", "溪美街道", "水头镇", "罗东镇", "省新镇", "梅山镇"),
        ("建材", "家居", "陶瓷", "门窗", "装饰材料"),
        ("建材店", "家居经营部", "门窗店"),
        tuple((g, 0) for g in ("瓷砖", "铝合金门窗", "橱柜", "岩板", "不锈钢栏杆", "实木门", "淋浴隔断")),
        8,
    ),
    Industry(
        "五金机械",
        "wujin",
        ("梅山镇", "梅山镇", "康美镇", "洪濑镇", "省新镇", "洪梅镇", "罗东镇", "乐峰镇"),
        ("机械", "五金制品", "机电设备", "精密机械", "五金工具"),
        ("五金店", "五金经营部", "机械维修部"),
        tuple((g, 0) for g in ("石材切割机", "水泵", "五金工具", "阀门配件", "农机配件", "合金刀具", "电动工具")),
        8,
    ),
)
INDUSTRY = {industry.name: industry for industry in INDUSTRIES}

#: 字号 (trade names) with a pinyin spelling for domains. Invented combinations of common words;
#: well-known brands of the region are left out on purpose.
BRANDS = (
    ("瑞丰", "ruifeng"),
    ("鸿达", "hongda"),
    ("金盛", "jinsheng"),
    ("恒泰", "hengtai"),
    ("永发", "yongfa"),
    ("华晟", "huasheng"),
    ("协兴", "xiexing"),
    ("荣昌", "rongchang"),
    ("建兴", "jianxing"),
    ("源盛", "yuansheng"),
    ("佳美", "jiamei"),
    ("宏远", "hongyuan"),
    ("鑫隆", "xinlong"),
    ("德润", "derun"),
    ("隆兴", "longxing"),
    ("泰和", "taihe"),
    ("鼎盛", "dingsheng"),
    ("嘉禾", "jiahe"),
    ("广源", "guangyuan"),
    ("裕丰", "yufeng"),
    ("新锦", "xinjin"),
    ("益源", "yiyuan"),
    ("振兴", "zhenxing"),
    ("盛达", "shengda"),
    ("合兴", "hexing"),
    ("顺昌", "shunchang"),
    ("宝丰", "baofeng"),
    ("祥和", "xianghe"),
    ("福顺", "fushun"),
    ("兴旺", "xingwang"),
    ("联盛", "liansheng"),
    ("恒昌", "hengchang"),
    ("天成", "tiancheng"),
    ("宏昌", "hongchang"),
    ("正源", "zhengyuan"),
    ("金鼎", "jinding"),
    ("安泰", "antai"),
    ("长兴", "changxing"),
    ("群英", "qunying"),
    ("达丰", "dafeng"),
    ("锦华", "jinhua"),
    ("美华", "meihua"),
    ("永盛", "yongsheng"),
    ("旺源", "wangyuan"),
    ("荣丰", "rongfeng"),
    ("润华", "runhua"),
    ("鸿盛", "hongsheng"),
    ("伟业", "weiye"),
    ("恒发", "hengfa"),
    ("明盛", "mingsheng"),
    ("福源", "fuyuan"),
    ("华丰", "huafeng"),
    ("协和", "xiehe"),
    ("聚丰", "jufeng"),
    ("东升", "dongsheng"),
    ("启航", "qihang"),
    ("盈丰", "yingfeng"),
    ("玉成", "yucheng"),
    ("元泰", "yuantai"),
    ("俊达", "junda"),
    ("国兴", "guoxing"),
    ("尚品", "shangpin"),
    ("惠康", "huikang"),
    ("和美", "hemei"),
    ("海源", "haiyuan"),
    ("云峰", "yunfeng"),
    ("翠峰", "cuifeng"),
    ("香韵", "xiangyun"),
    ("茗香", "mingxiang"),
    ("凤山", "fengshan"),
    ("雪峰", "xuefeng"),
    ("碧岩", "biyan"),
)
SURNAMES = "陈林黄洪吴李王郑蔡傅刘张许苏潘戴叶杨"


@dataclass(frozen=True)
class Outside:
    """A place outside the city where some of the demo's traders are registered."""

    division: str
    company: str  # name prefix of a company
    local: str  # name prefix of an individual business or cooperative; its 市场监督管理局
    address: str
    trades: tuple[str, ...]


#: Registered outside the city (Art. 2 still reaches them when they trade here).
OUTSIDE = (
    Outside("350582", "晋江市", "晋江市", "福建省晋江市", ("服装鞋帽", "食品")),
    Outside("350581", "石狮市", "石狮市", "福建省石狮市", ("服装鞋帽",)),
    Outside("350502", "泉州市", "泉州市鲤城区", "福建省泉州市鲤城区", ("食品", "五金机械")),
    Outside("350203", "厦门", "厦门市思明区", "福建省厦门市思明区", ("茶叶", "光电信息")),
)
SC_ISSUER = {"350582": "泉州市", "350581": "泉州市", "350502": "泉州市", "350203": "厦门市", DIVISION: "泉州市"}

PLACES = ("工业区", "工业园", "商贸街", "中心街", "新街", "环城路", "园区路", "兴业路", "创业路")
#: (ISP, 机房地址); the last two are the demo's own hosting entities.
HOSTS = (
    ("中国电信股份有限公司泉州分公司", "福建省泉州市丰泽区电信IDC机房"),
    ("中国联合网络通信有限公司泉州市分公司", "福建省泉州市鲤城区联通IDC机房"),
    ("中国移动通信集团福建有限公司泉州分公司", "福建省晋江市移动数据中心"),
    ("南安市云帆网络科技有限公司（演示）", "福建省南安市美林街道云帆数据机房（演示）"),
    ("厦门鹭云数据科技有限公司（演示）", "福建省厦门市集美区鹭云数据中心（演示）"),
)
DOC_NETS = ("192.0.2.", "198.51.100.", "203.0.113.")  # RFC 5737

RETURN_REASONS = (
    "网站的 ICP 备案号与工信部备案系统登记的主体不一致，请核对后重新提交。",
    "住所（经营场所）填写不完整，请填写到门牌号。",
    "联系电话无法接通，请提供有效的联系电话。",
    "主体名称与营业执照不一致，请使用营业执照上的全称。",
    "网站服务器机房地址未填写，请补充。",
    "经营范围涉及食品，请补充食品经营许可证信息。",
)
SUSPEND_REASONS = (
    "网销花洒经抽检不合格，整改期间暂停备案（演示）。",
    "备案网站域名已失效，经营者逾期未变更备案信息（演示）。",
)
REVOKE_REASON = "经核查，备案时提交的营业执照信息不实，撤销备案（演示）。"
DEREGISTER_REASON = "经营者申请注销：已停止网络经营（演示）。"


# --- the cast that is not random ------------------------------------------------------------------


@dataclass(frozen=True)
class Platform:
    key: str
    name: str
    division: str
    township: str
    address: str
    domain: str
    shop_url: str  # with {id}
    shop_id: str  # with {n}
    organisation: str = ""


PLATFORMS = (
    Platform(
        "platform-mnyp",
        "闽南优品购物平台（演示）",
        DIVISION,
        "溪美街道",
        "福建省南安市溪美街道成功街88号（演示）",
        "www.minnanyoupin-demo.cn",
        "https://shop.minnanyoupin-demo.cn/store/{id}",
        "{n}",
        organisation="platform",
    ),
    Platform(
        "platform-haowu",
        "南安好物电商平台（演示）",
        DIVISION,
        "柳城街道",
        "福建省南安市柳城街道园区路16号（演示）",
        "www.nanan-haowu-demo.com.cn",
        "https://www.nanan-haowu-demo.com.cn/shop/{id}/",
        "NA{n}",
    ),
    Platform(
        "platform-haisi",
        "泉州海丝云集商城（演示）",
        "350502",
        "",
        "福建省泉州市鲤城区中山路201号（演示）",
        "www.haisi-yunji-demo.cn",
        "https://m.haisi-yunji-demo.cn/store?id={id}",
        "QZ{n}",
    ),
)
PLATFORM_WEIGHTS = (60, 25, 15)

#: name, township, industry, sells_permit_goods, trades_in_enterprise_name, born, division, fate
NATURAL_PERSONS = (
    ("陈雅婷", "向阳乡", "茶叶", True, False, dt.date(1991, 4, 12), DIVISION, Fate.APPROVED),
    ("黄志伟", "仑苍镇", "卫浴水暖", False, True, dt.date(1986, 9, 3), DIVISION, Fate.APPROVED),
    ("林秀英", "洪濑镇", "食品", True, False, dt.date(1972, 1, 27), DIVISION, Fate.RETURNED),
    ("吴建平", "水头镇", "石材", False, True, dt.date(1979, 11, 8), "350582", Fate.APPROVED),
    ("洪丽娟", "霞美镇", "服装鞋帽", False, False, dt.date(1995, 6, 30), DIVISION, Fate.NONE),
    ("李明辉", "翔云镇", "茶叶", True, True, dt.date(1983, 2, 14), "350524", Fate.APPROVED),
    ("王淑珍", "诗山镇", "食品", False, False, dt.date(1968, 10, 21), DIVISION, Fate.NONE),
    ("郑国庆", "梅山镇", "五金机械", False, False, dt.date(1989, 10, 1), DIVISION, Fate.NONE),
    ("蔡美玲", "丰州镇", "服装鞋帽", False, True, dt.date(1993, 3, 5), DIVISION, Fate.SUBMITTED),
    ("傅文斌", "金淘镇", "茶叶", False, False, dt.date(1975, 7, 19), DIVISION, Fate.NONE),
)

#: How many of each fate the randomly made organisations get (the fixed cast adds its own).
FATES = {
    Fate.APPROVED: 192,
    Fate.SUBMITTED: 29,
    Fate.RETURNED: 14,
    Fate.RETURNED_FIXED: 1,
    Fate.AMENDED_APPROVED: 2,
    Fate.AMENDED_PENDING: 2,
    Fate.AMENDED_DRAFT: 1,
    Fate.SUSPENDED: 2,
    Fate.REVOKED: 1,
    Fate.DEREGISTERED: 1,
    Fate.DRAFT: 3,
    Fate.NONE: 35,
}
INDIVIDUAL_BUSINESSES = 48
COOPERATIVES = 6
OUTSIDERS = 15  # about 5% of all entities
WEBSITE_SHARE = 0.4
STOREFRONT_SHARE = 0.4
#: Days until the permit expires, for a few permits picked at random (the warnings).
PERMIT_DEADLINES = (3, 9, 16, 22, 28, -6, -45)
SELLER_PERMIT_DAYS = 12  # the demo seller's own permit
PERMIT_YEARS_DAYS = 5 * 365


def build(today: dt.date, *, seed: int = SEED) -> list[DemoEntity]:
    """The whole demo registry, platforms first (storefronts name them). Same seed and day,
    same list."""
    return _Maker(random.Random(seed), today).build()  # noqa: S311 — demo data, not secrets


@dataclass
class _Seller:
    """What the maker remembers about one entity while it decides the rest."""

    entity: DemoEntity
    brand: str = ""
    brand_slug: str = ""
    noun: str = ""
    industry: Industry | None = None
    goods: tuple[str, ...] = ()
    sc_category: int = 0
    issuer_city: str = "南安市"


class _Maker:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.names: set[str] = set()
        self.codes: set[str] = set()
        self.domains: set[str] = set()
        self.numbers: set[str] = set()

    # -- codes and numbers

    def uscc(self, first: str, division: str) -> str:
        while True:
            base = first + division + "".join(self.rng.choice(USCC_ALPHABET) for _ in range(9))
            code = base + uscc.calc_check_digit(base)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def resident_id(self, division: str, born: dt.date) -> str:
        base = f"{division}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
        return base + ric.calc_check_digit(base + "0")  # the function ignores the last character

    def unique(self, make: str, digits: int = 6) -> str:
        """``make`` with ``{n}`` filled by ``digits`` random digits until the result is new."""
        while True:
            value = make.format(n=f"{self.rng.randrange(10**digits):0{digits}d}")
            if value not in self.numbers:
                self.numbers.add(value)
                return value

    def phone(self, division: str) -> str:
        if division == "350203":  # 厦门's landlines have 7 digits
            return f"0592-5{self.rng.randrange(600_000, 700_000)}"
        return f"0595-8{self.rng.randrange(6_000_000, 7_000_000)}"

    def ip(self) -> str:
        if self.rng.random() < 0.1:
            return f"2001:db8::{self.rng.randrange(1, 0xFFFF):x}"  # RFC 3849
        return self.rng.choice(DOC_NETS) + str(self.rng.randrange(1, 255))

    def icp_filing(self) -> str:
        return self.unique(f"闽ICP备{self.rng.randrange(2016, 2026)}{{n}}号")

    def domain(self, slug: str, industry_slug: str) -> str:
        suffix = self.rng.choice(("cn", "com.cn"))
        for extra in ("", *map(str, range(2, 20))):
            domain = f"www.{slug}{extra}-{industry_slug}-demo.{suffix}"
            if domain not in self.domains:
                self.domains.add(domain)
                return domain
        raise RuntimeError("no free demo domain")  # pragma: no cover

    def address(self, prefix: str, township: str) -> str:
        return f"{prefix}{township}{self.rng.choice(PLACES)}{self.rng.randrange(1, 300)}号"

    def contact(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(("经理", "先生", "女士", "主管"))

    # -- the cast

    def build(self) -> list[DemoEntity]:
        fixed = [*self.platforms(), *self.infrastructure(), self.association(), self.demo_seller()]
        people = [self.person(*row) for row in NATURAL_PERSONS]
        fates = [fate for fate, count in FATES.items() for _ in range(count)]
        self.rng.shuffle(fates)
        kinds = ["individual"] * INDIVIDUAL_BUSINESSES + ["cooperative"] * COOPERATIVES
        kinds += ["company"] * (len(fates) - len(kinds))
        self.rng.shuffle(kinds)
        outside = set(self.rng.sample(range(len(fates)), OUTSIDERS))
        firms = [
            self.firm(i, kind, fate, i in outside) for i, (kind, fate) in enumerate(zip(kinds, fates, strict=True))
        ]
        sellers = [*fixed, *people, *firms]
        self.storefronts(sellers)
        self.permits(sellers)
        return [seller.entity for seller in sellers]

    def platforms(self) -> list[_Seller]:
        made = []
        for platform in PLATFORMS:
            filing = DemoFiling(
                contact_name=self.contact(),
                contact_phone=self.phone(platform.division),
                contact_email=f"service@{platform.domain.removeprefix('www.')}",
                address=platform.address,
                websites=(
                    {
                        "name": platform.name.removesuffix("（演示）"),
                        "domain": platform.domain,
                        "ip": self.ip(),
                        "kind": "platform",
                        "icp_filing": self.icp_filing() + "-1",
                        "icp_licence": self.unique("闽B2-20{n}"),
                        "isp": HOSTS[0][0],
                        "server_room": HOSTS[0][1],
                    },
                ),
                other_items={"服务内容": "网络商品交易平台服务（综合类）"},
            )
            entity = DemoEntity(
                key=platform.key,
                name=platform.name,
                kind="legal_person",
                roles=("platform",),
                uscc=self.uscc("91", platform.division),
                address=platform.address,
                industry="电子商务平台",
                township=platform.township,
                organisation=platform.organisation,
                fate=Fate.APPROVED,
                filing=filing,
            )
            made.append(_Seller(entity))
        return made

    def infrastructure(self) -> list[_Seller]:
        made = []
        for key, (isp, room), division, township, address, domain in (
            (
                "infra-yunfan",
                HOSTS[3],
                DIVISION,
                "美林街道",
                "福建省南安市美林街道兴业路66号（演示）",
                "www.yunfan-idc-demo.cn",
            ),
            (
                "infra-luyun",
                HOSTS[4],
                "350203",
                "",
                "福建省厦门市思明区软件园二期9号（演示）",
                "www.luyun-cloud-demo.com.cn",
            ),
        ):
            filing = DemoFiling(
                contact_name=self.contact(),
                contact_phone=self.phone(division),
                contact_email=f"support@{domain.removeprefix('www.')}",
                address=address,
                websites=(
                    {
                        "name": isp.removesuffix("（演示）") + "官网",
                        "domain": domain,
                        "ip": self.ip(),
                        "kind": "corporate",
                        "icp_filing": self.icp_filing() + "-1",
                        "icp_licence": self.unique("闽B1-20{n}"),
                        "isp": isp,
                        "server_room": room,
                    },
                ),
                other_items={"服务内容": "云主机、服务器托管、网站建设、域名注册"},
            )
            entity = DemoEntity(
                key=key,
                name=isp,
                kind="legal_person",
                roles=("infrastructure",),
                uscc=self.uscc("91", division),
                address=address,
                industry="互联网信息服务",
                township=township,
                fate=Fate.APPROVED,
                filing=filing,
            )
            made.append(_Seller(entity))
        return made

    def association(self) -> _Seller:
        """An 其他经济组织 with a ``Y1`` code: the tea trade's shared online shop."""
        domain = "www.nanan-chaxie-demo.cn"
        filing = DemoFiling(
            contact_name=self.contact(),
            contact_phone=self.phone(DIVISION),
            contact_email=f"office@{domain.removeprefix('www.')}",
            address="福建省南安市溪美街道中心街12号（演示）",
            websites=(
                {
                    "name": "南安茶叶公益商城",
                    "domain": domain,
                    "ip": self.ip(),
                    "kind": "own_shop",
                    "icp_filing": self.icp_filing() + "-1",
                    "isp": HOSTS[3][0],
                    "server_room": HOSTS[3][1],
                },
            ),
            other_items={"主营商品": "会员茶企的铁观音、石亭绿、茶叶礼盒"},
        )
        entity = DemoEntity(
            key="association-tea",
            name="南安市茶产业电商联盟（演示）",
            kind="other_org",
            roles=("seller",),
            uscc=self.uscc("Y1", DIVISION),
            address=filing.address,
            industry="茶叶",
            township="溪美街道",
            fate=Fate.APPROVED,
            filing=filing,
        )
        return _Seller(entity, brand="茶产业", brand_slug="chaxie", noun="联盟", industry=INDUSTRY["茶叶"])

    def demo_seller(self) -> _Seller:
        """The demo operator account's own firm: approved, amended, badge, website, shop, a permit due."""
        domain = "www.shili-xieye-demo.cn"
        site = {
            "name": "示例鞋业官方商城",
            "domain": domain,
            "ip": "203.0.113.18",
            "kind": "own_shop",
            "icp_filing": self.icp_filing() + "-1",
            "isp": HOSTS[0][0],
            "server_room": HOSTS[0][1],
        }
        filing = DemoFiling(
            contact_name="洪店主",
            contact_phone="0595-86901234",
            contact_email="service@shili-xieye-demo.cn",
            address="福建省南安市霞美镇工业区28号（演示）",
            websites=(site,),
            other_items={"主营商品": "运动鞋、休闲鞋、童鞋、袜子、运动饮料（预包装食品）"},
        )
        corporate = site | {
            "name": "示例鞋业企业官网",
            "domain": "www.shili-xieye-demo.com.cn",
            "kind": "corporate",
            "icp_filing": site["icp_filing"].removesuffix("-1") + "-2",
        }
        amendment = replace(filing, contact_phone="0595-86905678", websites=(site, corporate))
        entity = DemoEntity(
            key="seller-demo",
            name="南安市示例鞋业有限公司（演示）",
            kind="legal_person",
            roles=("seller",),
            uscc=self.uscc("91", DIVISION),
            address=filing.address,
            industry="服装鞋帽",
            township="霞美镇",
            organisation="seller",
            fate=Fate.AMENDED_APPROVED,
            filing=filing,
            amendment=amendment,
        )
        return _Seller(entity, brand="示例", brand_slug="shili", noun="鞋业", industry=INDUSTRY["服装鞋帽"])

    def person(
        self,
        name: str,
        township: str,
        industry_name: str,
        permit_goods: bool,
        firm_name: bool,
        born: dt.date,
        division: str,
        fate: Fate,
    ) -> _Seller:
        industry = INDUSTRY[industry_name]
        goods = tuple(g for g, _ in self.rng.sample(industry.goods, 2))
        address = f"福建省南安市{township}{self.rng.choice(PLACES)}"
        filing = None
        if fate is not Fate.NONE:
            filing = DemoFiling(
                contact_name=name,
                contact_phone=self.phone(DIVISION),
                contact_email="",
                address=address,
                other_items={"主营商品": "、".join(goods), "网络经营方式": "平台网店"},
            )
        entity = DemoEntity(
            key=f"person-{name}",
            name=name,
            kind="natural_person",
            roles=("seller",),
            resident_id=self.resident_id(division, born),
            address=address,
            industry=industry_name,
            township=township,
            sells_permit_goods=permit_goods,
            trades_in_enterprise_name=firm_name,
            fate=fate,
            filing=filing,
            reason=RETURN_REASONS[5] if fate is Fate.RETURNED else "",
        )
        return _Seller(entity, brand=name[1:], noun="", industry=industry, goods=goods)

    def firm(self, index: int, kind: str, fate: Fate, outside: bool) -> _Seller:
        rng = self.rng
        where = rng.choice(OUTSIDE) if outside else None
        if kind == "cooperative":
            industry = INDUSTRY["茶叶"]
        elif where is not None:
            industry = INDUSTRY[rng.choice(where.trades)]
        else:
            industry = rng.choices(INDUSTRIES, weights=[i.weight for i in INDUSTRIES])[0]
        division = where.division if where else DIVISION
        township = "" if where else rng.choice(industry.townships)
        while True:
            brand, slug = rng.choice(BRANDS)
            noun = rng.choice(industry.shops if kind == "individual" else industry.nouns)
            name = self.firm_name(kind, where, township, brand, noun)
            if name not in self.names:
                self.names.add(name)
                break
        first = {"individual": "92", "cooperative": "93"}.get(kind, "91")
        entity_kind = "individual_business" if kind == "individual" else "legal_person"
        place = where.address if where else "福建省南安市"
        address = self.address(place, township)
        picked = rng.sample(industry.goods, rng.randrange(2, 5))
        goods = tuple(g for g, _ in picked)
        filing = None
        amendment = None
        reason = ""
        if fate is not Fate.NONE:
            websites: tuple[dict[str, str], ...] = ()
            if rng.random() < WEBSITE_SHARE:
                websites = self.websites(brand, slug, noun, industry, two=rng.random() < 0.1)
            filing = DemoFiling(
                contact_name=self.contact(),
                contact_phone=self.phone(division),
                contact_email=f"service@{websites[0]['domain'].removeprefix('www.')}" if websites else "",
                address=address,
                websites=websites,
                other_items={"主营商品": "、".join(goods)},
            )
            if fate is Fate.RETURNED_FIXED:
                # Version 1 lacked the house number; version 2 adds it.
                reason = RETURN_REASONS[1]
                amendment = filing
                filing = replace(filing, address=re.sub(r"[0-9]+号$", "", address))
            elif fate in (Fate.AMENDED_APPROVED, Fate.AMENDED_PENDING, Fate.AMENDED_DRAFT):
                amendment = replace(filing, contact_phone=self.phone(division))
                if websites:  # moved
                    amendment = replace(amendment, address=self.address(place, township))
                else:  # opened its own online shop
                    amendment = replace(amendment, websites=self.websites(brand, slug, noun, industry, two=False))
            elif fate is Fate.RETURNED:
                reason = rng.choice(RETURN_REASONS[:5])
            elif fate is Fate.SUSPENDED:
                reason = SUSPEND_REASONS[index % 2]
            elif fate is Fate.REVOKED:
                reason = REVOKE_REASON
            elif fate is Fate.DEREGISTERED:
                reason = DEREGISTER_REASON
        entity = DemoEntity(
            key=f"firm-{index}",
            name=name,
            kind=entity_kind,
            roles=("seller",),
            uscc=self.uscc(first, division),
            address=address,
            industry=industry.name,
            township=township,
            fate=fate,
            filing=filing,
            amendment=amendment,
            reason=reason,
        )
        issuer_city = where.local if where else "南安市"
        return _Seller(entity, brand, slug, noun, industry, goods, picked[0][1], issuer_city)

    def firm_name(self, kind: str, where: Outside | None, township: str, brand: str, noun: str) -> str:
        town = township.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        local = where.local if where else f"南安市{town}"
        if kind == "cooperative":
            return f"{local}{brand}茶叶专业合作社"
        if kind == "individual":
            return f"{local}{brand}{noun}"
        if where is not None:
            return f"{where.company}{brand}{noun}有限公司"
        prefix = self.rng.choices((f"南安市{town}", "南安市", "福建南安", "福建省"), weights=(40, 35, 15, 10))[0]
        return f"{prefix}{brand}{noun}有限公司"

    def websites(
        self, brand: str, slug: str, noun: str, industry: Industry, *, two: bool
    ) -> tuple[dict[str, str], ...]:
        isp, room = self.rng.choice(HOSTS)
        filing = self.icp_filing()
        shop = {
            "name": f"{brand}{noun}官方商城",
            "domain": self.domain(slug, industry.slug),
            "ip": self.ip(),
            "kind": "own_shop",
            "icp_filing": f"{filing}-1",
            "isp": isp,
            "server_room": room,
        }
        if not two:
            return (shop,)
        corporate = {
            "name": f"{brand}{noun}企业官网",
            "domain": self.domain(slug, industry.slug),
            "ip": self.ip(),
            "kind": "corporate",
            "icp_filing": f"{filing}-2",
            "isp": isp,
            "server_room": room,
        }
        return (shop, corporate)

    # -- shops and permits, once everyone exists

    def storefronts(self, sellers: list[_Seller]) -> None:
        for seller in sellers:
            entity = seller.entity
            if "seller" not in entity.roles:
                continue
            demo = entity.organisation == "seller"
            if not demo and self.rng.random() >= STOREFRONT_SHARE:
                continue
            count = 2 if self.rng.random() < 0.1 else 1
            chosen = [PLATFORMS[0]] if demo else []
            while len(chosen) < count:
                platform = self.rng.choices(PLATFORMS, weights=PLATFORM_WEIGHTS)[0]
                if platform not in chosen:
                    chosen.append(platform)
            shops = tuple(self.storefront(seller, platform) for platform in chosen)
            seller.entity = replace(entity, storefronts=shops)

    def storefront(self, seller: _Seller, platform: Platform) -> DemoStorefront:
        shop_id = self.unique(platform.shop_id)
        entity = seller.entity
        if entity.kind == "natural_person":
            name = f"{seller.brand}的{seller.goods[0]}小铺"
        elif entity.kind == "individual_business":
            name = f"{seller.brand}{seller.noun}"
        else:
            name = f"{seller.brand}{seller.noun}{self.rng.choice(('旗舰店', '官方店', '专营店', '工厂店'))}"
        return DemoStorefront(platform.key, name, platform.shop_url.format(id=shop_id), shop_id)

    def permits(self, sellers: list[_Seller]) -> None:
        """食品经营许可证 (JY…) for food and tea traders, 食品生产许可证 (SC…) for food and tea
        firms; a few due within 30 days and two lapsed, so the warnings show."""
        made: list[tuple[_Seller, DemoPermit]] = []
        for seller in sellers:
            entity = seller.entity
            industry = seller.industry
            if entity.organisation == "seller" or industry is None or not industry.food:
                continue
            if entity.kind == "other_org" or (entity.kind == "natural_person" and not entity.sells_permit_goods):
                continue
            if entity.kind == "natural_person" and entity.fate is Fate.RETURNED:
                continue  # the one returned for want of a permit
            division = entity.division if entity.kind != "natural_person" else DIVISION
            permits = []
            if entity.kind == "legal_person":
                category = seller.sc_category or 14
                number = self.unique(f"SC1{category:02d}{division}{{n}}", digits=4) + str(self.rng.randrange(10))
                permits.append(self.permit("food_production", number, f"{SC_ISSUER[division]}市场监督管理局"))
            if entity.kind != "legal_person" or self.rng.random() < 0.2:
                number = self.unique(f"JY1{division}{{n}}") + str(self.rng.randrange(10))
                permits.append(self.permit("food_business", number, f"{seller.issuer_city}市场监督管理局"))
            made += [(seller, permit) for permit in permits]
        for index, days in zip(self.rng.sample(range(len(made)), len(PERMIT_DEADLINES)), PERMIT_DEADLINES, strict=True):
            holder, permit = made[index]
            made[index] = (holder, self.due(permit, days))
        demo = next(s for s in sellers if s.entity.organisation == "seller")
        number = self.unique(f"JY1{DIVISION}{{n}}") + "7"
        made.append((demo, self.due(self.permit("food_business", number, "南安市市场监督管理局"), SELLER_PERMIT_DAYS)))
        for seller in sellers:
            own = tuple(permit for holder, permit in made if holder is seller)
            if own:
                seller.entity = replace(seller.entity, permits=own)

    def permit(self, kind: str, number: str, issuer: str) -> DemoPermit:
        start = self.today - dt.timedelta(days=self.rng.randrange(60, 1700))
        return DemoPermit(kind, number, issuer, start, start + dt.timedelta(days=PERMIT_YEARS_DAYS))

    def due(self, permit: DemoPermit, days: int) -> DemoPermit:
        until = self.today + dt.timedelta(days=days)
        return replace(permit, valid_from=until - dt.timedelta(days=PERMIT_YEARS_DAYS), valid_until=until)
