/* city.c: the guangzhou-2021 synthetic city — real districts and streets/towns, a
 * seeded layout of everything below them, residents with valid resident ID numbers,
 * loaded in one bulk transaction. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "forces/forces.h"
#include "people/people.h"
#include "places/places.h"
#include "sim.h"

/* ---- a fast deterministic PRNG: xoshiro256** seeded through splitmix64 ----------------
 * Every random decision draws from a stream named by (seed, purpose, index), so that a
 * community's layout or people do not depend on how many numbers other parts drew. */

struct rng {
	uint64_t s[4];
};

enum { STREAM_STREET = 1, STREAM_COMMUNITY, STREAM_LAYOUT, STREAM_PEOPLE };

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
	uint64_t x = seed;
	x = splitmix64(&x) ^ (stream * 0xD1B54A32D192ED03ull);
	x = splitmix64(&x) ^ (index * 0x8CB92BA72F3D8DD7ull);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, n), n < 2^32 (multiply-shift; the bias is far below what matters here). */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline int rng_range(struct rng *r, int lo, int hi)
{
	return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

static inline double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* ---- the preset: Guangzhou, 2021 ---------------------------------------------------- */

#define CITY_CODE	"440100"
#define CITY_NAME	"广州市"
#define N_DISTRICTS	11
#define N_STREETS	176
#define N_COMMUNITIES	2759
#define MIN_COMMUNITIES 3

/* Real names of 2021 (the brief's list, checked against the district governments'
 * pages); streets (街) first, then towns (镇), each in the order given. Populations:
 * 2020 census (docs/facts.md). */
static const struct district_def {
	int code;
	const char *name;
	int64_t pop;
	const char *streets, *towns; /* space-separated */
} districts[N_DISTRICTS] = {
    {440103, "荔湾区", 1238338,
     "沙面街 岭南街 华林街 多宝街 昌华街 逢源街 龙津街 金花街 彩虹街 南源街 西村街 站前街 "
     "桥中街 白鹤洞街 冲口街 花地街 石围塘街 茶滘街 东漖街 海龙街 东沙街 中南街",
     ""},
    {440104, "越秀区", 1038629,
     "洪桥街 北京街 六榴街 流花街 光塔街 人民街 东山街 农林街 梅花村街 黄花岗街 华乐街 "
     "建设街 大塘街 珠光街 大东街 白云街 登峰街 矿泉街",
     ""},
    {440105, "海珠区", 1819873,
     "赤岗街 新港街 昌岗街 江南中街 滨江街 素社街 海幢街 南华西街 龙凤街 沙园街 南石头街 "
     "凤阳街 瑞宝街 江海街 琶洲街 南洲街 华洲街 官洲街",
     ""},
    {440106, "天河区", 2241826,
     "五山街 员村街 车陂街 沙河街 石牌街 沙东街 天河南街 林和街 兴华街 棠下街 天园街 猎德街 "
     "冼村街 元岗街 黄村街 龙洞街 长兴街 凤凰街 前进街 珠吉街 新塘街",
     ""},
    {440111, "白云区", 3742991,
     "三元里街 松洲街 景泰街 同德街 黄石街 棠景街 新市街 同和街 京溪街 永平街 嘉禾街 均禾街 "
     "石井街 金沙街 云城街 鹤龙街 白云湖街 石门街 龙归街 大源街",
     "人和镇 太和镇 钟落潭镇 江高镇"},
    {440112, "黄埔区", 1264000,
     "黄埔街 红山街 鱼珠街 大沙街 文冲街 穗东街 南岗街 长洲街 夏港街 萝岗街 联和街 永和街 "
     "云埔街 长岭街 九佛街 龙湖街",
     "新龙镇"},
    {440113, "番禺区", 2658000,
     "市桥街 沙头街 东环街 桥南街 小谷围街 大石街 洛浦街 石壁街 钟村街 大龙街",
     "南村镇 新造镇 化龙镇 石楼镇 沙湾镇 石碁镇"},
    {440114, "花都区", 1642000, "新华街 新雅街 秀全街 花城街",
     "花东镇 狮岭镇 炭步镇 赤坭镇 梯面镇 花山镇"},
    {440115, "南沙区", 846000, "南沙街 珠江街 龙穴街",
     "黄阁镇 横沥镇 万顷沙镇 大岗镇 榄核镇 东涌镇"},
    {440117, "从化区", 717000, "街口街 城郊街 江埔街", "温泉镇 良口镇 吕田镇 太平镇 鳌头镇"},
    {440118, "增城区", 1466000, "荔城街 增江街 朱村街 永宁街 荔湖街 宁西街",
     "新塘镇 石滩镇 中新镇 正果镇 派潭镇 小楼镇 仙村镇"},
};

/* Known places. 芳村花园 (21 buildings, 8,000+ residents, 326 party members: the
 * article) is put in the first community of 白鹤洞街, Liwan — June 2021 reports name it
 * among the Baihedong compounds; its community's name is generated. 华景新城 is the first
 * compound of 华景社区, the first community of Tianhe's 棠下街. */
#define FANGCUN_STREET	  "白鹤洞街"
#define FANGCUN_NAME	  "芳村花园"
#define FANGCUN_BUILDINGS 21
#define FANGCUN_PEOPLE	  8000
#define FANGCUN_PARTY	  326
#define HUAJING_STREET	  "棠下街"
#define HUAJING_COMMUNITY "华景社区"
#define HUAJING_NAME	  "华景新城"

enum { SPECIAL_NONE = 0, SPECIAL_FANGCUN, SPECIAL_HUAJING };

/* Share of a town's units that are villages (the rest are communities). */
#define TOWN_VILLAGE_SHARE 0.7

/* Words for community and village names (+社区 / +村); no real name is implied. At
 * least as many as the most communities any street gets (asserted). */
static const char *const place_words[] = {
    "东风", "新华", "建设", "和平", "光明", "朝阳", "幸福", "团结", "前进", "红星", "胜利", "友谊",
    "青年", "长青", "翠竹", "松柏", "桂花", "荔枝", "木棉", "紫荆", "丽江", "锦绣", "金沙", "银河",
    "彩虹", "云山", "珠江", "碧水", "清泉", "凤凰", "麒麟", "南湖", "北湖", "东湖", "西湖", "怡景",
    "宝华", "康乐", "富华", "兴隆", "永安", "安居", "平安", "同心", "育才", "文昌", "聚贤", "德政",
    "仁和", "礼贤", "崇文", "尚德", "嘉和", "瑞祥", "泰安", "宏图", "华南", "西华", "东华", "新民",
    "新桥", "古井", "石桥", "竹园", "桃源", "杏花", "梅园", "兰苑", "菊园", "莲塘", "荷塘", "柳岸",
    "榕树", "樟树", "龙溪", "凤岗", "鹤岭", "燕岗", "金鹏", "银湖", "玉树", "宝岗", "金坑", "石岗",
    "沙涌", "南浦", "北岸", "东城", "西城", "南苑", "北苑", "江南", "江北", "海景", "海心", "沿江",
    "天星", "星光", "月华", "日新", "晨光", "晓港", "紫云", "青山", "翠华", "龙塘", "黄陂", "水口",
    "田心", "大岭", "上围", "下围", "新围", "塘边", "岗头", "山下", "坑口", "沙岗", "元下", "高塘",
    "横岭", "榄园", "茶山", "白石", "赤沙", "黄沙", "南岭", "北岭", "石龙", "马岭", "鸦岗", "龙岗",
    "蚌湖", "钟岗", "凤塘", "联星", "联合", "红卫", "向阳", "长乐", "同乐", "五联", "三联",
};
#define N_PLACE_WORDS (sizeof place_words / sizeof place_words[0])

static const char *const compound_first[] = {
    "锦华", "翠苑", "金碧",   "丽景", "雅居", "紫荆", "荔景", "锦绣", "碧云", "金海", "银河",
    "翡翠", "御景", "东方",   "南国", "星河", "海逸", "云景", "君怡", "骏景", "雅怡", "逸景",
    "嘉禾", "恒福", "宏城",   "康桥", "金穗", "富景", "美林", "凯旋", "颐和", "盈彩", "珠江",
    "天骄", "龙口", "金湖",   "名雅", "华标", "汇景", "凤凰", "穗花", "宝华", "广厦", "和景",
    "德安", "华荟", "新世界", "万科", "保利", "越秀", "碧桂", "中海", "合生", "侨林", "聚龙",
    "金沙", "光大", "愉景",   "荔湾", "绿茵", "泰安", "春晖", "朗晴", "岭南", "海映", "花语",
};
#define N_COMPOUND_FIRST (sizeof compound_first / sizeof compound_first[0])
static const char *const compound_last[] = {
    "苑",   "花园", "小区", "新村", "大厦", "雅苑", "名苑",
    "山庄", "公寓", "家园", "广场", "华庭", "豪庭", "雅居",
};
#define N_COMPOUND_LAST (sizeof compound_last / sizeof compound_last[0])

/* Surnames with rough frequencies (per 10,000) for Guangdong, where 陈, 李, 黄, 梁 and 林
 * are commoner than nationally. */
static const struct surname {
	const char *s;
	int w;
} surnames[] = {
    {"陈", 900},  {"李", 700}, {"黄", 600}, {"张", 500}, {"梁", 400}, {"林", 350}, {"刘", 330},
    {"王", 300},  {"吴", 300}, {"何", 250}, {"罗", 250}, {"杨", 220}, {"郑", 200}, {"谢", 180},
    {"周", 160},  {"叶", 150}, {"冯", 140}, {"钟", 140}, {"邓", 140}, {"曾", 130}, {"朱", 130},
    {"徐", 110},  {"赵", 100}, {"胡", 100}, {"郭", 100}, {"卢", 95},  {"潘", 95},  {"蔡", 90},
    {"彭", 90},	  {"肖", 85},  {"苏", 85},  {"麦", 80},	 {"区", 60},  {"谭", 80},  {"孙", 75},
    {"马", 75},	  {"高", 70},  {"许", 70},  {"余", 70},	 {"温", 60},  {"汤", 55},  {"莫", 55},
    {"邱", 55},	  {"关", 50},  {"严", 45},  {"袁", 45},	 {"韩", 40},  {"唐", 45},  {"宋", 40},
    {"董", 35},	  {"田", 30},  {"于", 30},  {"蒋", 30},	 {"杜", 30},  {"程", 30},  {"魏", 30},
    {"吕", 25},	  {"丁", 25},  {"任", 25},  {"沈", 25},	 {"姚", 25},  {"姜", 20},  {"崔", 15},
    {"陆", 25},	  {"汪", 20},  {"范", 25},  {"金", 20},	 {"石", 25},  {"廖", 60},  {"贾", 15},
    {"夏", 20},	  {"韦", 40},  {"方", 35},  {"白", 15},	 {"邹", 30},  {"孟", 15},  {"熊", 25},
    {"秦", 15},	  {"江", 30},  {"尹", 15},  {"薛", 15},	 {"段", 15},  {"雷", 20},  {"侯", 15},
    {"龙", 20},	  {"史", 10},  {"陶", 15},  {"黎", 50},	 {"贺", 10},  {"顾", 10},  {"毛", 10},
    {"龚", 15},	  {"邵", 15},  {"万", 15},  {"钱", 10},	 {"覃", 30},  {"戴", 20},  {"欧阳", 20},
    {"司徒", 10}, {"上官", 3},
};
#define N_SURNAMES (sizeof surnames / sizeof surnames[0])

static const char *const given_m[] = {
    "伟", "强", "军", "磊", "涛", "斌", "杰", "浩", "鹏", "宇", "俊", "辉", "明", "华", "志",
    "勇", "文", "建", "国", "峰", "超", "波", "健", "坤", "锋", "龙", "亮", "成", "兵", "乐",
    "晨", "轩", "睿", "博", "子", "豪", "宏", "荣", "永", "家", "嘉", "冠", "梓", "铭", "泽",
    "昊", "俊", "伦", "耀", "锦", "炳", "镇", "汉", "德", "忠", "振", "海", "航", "宁", "安",
};
static const char *const given_f[] = {
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "玲", "婷", "雪", "慧", "颖", "琳", "欣",
    "怡", "佳", "嘉", "晓", "梅", "玉", "萍", "红", "燕", "秀", "兰", "丹", "倩", "洁", "莉",
    "思", "雅", "诗", "悦", "彤", "妍", "晴", "蕾", "凤", "珍", "美", "惠", "琪", "淑", "蓉",
    "欢", "月", "桂", "碧", "翠", "咏", "敏", "宝", "茵", "薇", "琼", "瑶", "媛", "心", "宁",
};
#define N_GIVEN_M (sizeof given_m / sizeof given_m[0])
#define N_GIVEN_F (sizeof given_f / sizeof given_f[0])

/* Mobile prefixes of the three operators. */
static const int phone_prefix[] = {130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 147, 150, 151,
				   152, 153, 155, 156, 157, 158, 159, 166, 173, 175, 176, 177, 178,
				   180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 191, 198, 199};
#define N_PHONE_PREFIX (sizeof phone_prefix / sizeof phone_prefix[0])

/* Household sizes, per mille: 1:26 %, 2:28 %, 3:22 %, 4:14 %, 5:6 %, 6+:4 % (mean ≈ 2.6,
 * Guangzhou's 2020 average being ≈ 2.4–2.6). */
static const int hh_size_pm[] = {0, 260, 280, 220, 140, 60, 25, 10, 5};
#define HH_SIZE_MAX 8

/* Region codes for resident IDs: the districts, then codes of the same city used when a
 * district's sequence numbers run out — the abolished 东山区 (into Yuexiu, 2005), 芳村区
 * (into Liwan, 2005), 萝岗区 (into Huangpu, 2014), and 440101 (the city's 市辖区). */
#define N_REGIONS (N_DISTRICTS + 4)
static const int region_codes[N_REGIONS] = {440103, 440104, 440105, 440106, 440111,
					    440112, 440113, 440114, 440115, 440117,
					    440118, 440102, 440107, 440116, 440101};
#define REGION_DONGSHAN (N_DISTRICTS + 0)
#define REGION_FANGCUN	(N_DISTRICTS + 1)
#define REGION_LUOGANG	(N_DISTRICTS + 2)
#define REGION_CITY	(N_DISTRICTS + 3)
#define ID_SEQ_PER_SEX	499

/* Census day, the reference for ages. */
#define REF_Y		2020
#define REF_M		11
#define REF_D		1
#define BIRTH_Y0	1900
#define MAX_AGE		100
#define PARTY_SHARE	0.075 /* of adults (18+): ≈ 95 M members / ≈ 1.1 bn adults, 2021 */
#define PEOPLE_PER_GRID 1000.0

/* ---- the plan: what exists above grids, with the counts of everything below ------- */

struct counts {
	int64_t below[PLACES_NLEVELS];
	int64_t people;
};

struct street {
	int district;
	int code; /* 3-digit suffix */
	char name[40];
	bool town;
	double pop; /* real (unscaled) population, for allocating communities */
	int ncomm, first_comm;
	int64_t id;
	struct counts c;
};

struct community {
	int street;
	int suffix; /* 3-digit suffix: 001.. communities, 200.. villages */
	bool village;
	int special;
	char name[40];
	int64_t pop; /* scaled residents */
	int64_t id;
	struct counts c;
};

/* ---- the layout of one community: grids › compounds › buildings › households ------ */

struct lay_grid {
	int first, n; /* compounds */
	struct counts c;
};
struct lay_comp {
	int first, n;	    /* buildings */
	int name_a, name_b; /* compound_first × compound_last, or -1 for a known name */
	const char *known;
	struct counts c;
};
struct lay_bld {
	int first, n; /* households */
	int rpf;      /* rooms per floor, for room numbers */
	int64_t people;
};

struct layout {
	struct lay_grid *g;
	struct lay_comp *c;
	struct lay_bld *b;
	uint8_t *hh, *tmp; /* household sizes, in layout order; scratch */
	size_t ng, nc, nb, nh, ntmp;
	size_t capg, capc, capb, caph, captmp;
};

struct idgen {
	uint16_t *next; /* [region][sex-1][day since BIRTH_Y0-01-01]: sequence numbers used */
	int64_t ndays, day0;
	int64_t fallbacks;
};

struct gen {
	struct db *d;
	const struct people_keys *keys;
	uint64_t seed;
	double scale;
	struct street streets[N_STREETS];
	struct community comms[N_COMMUNITIES];
	struct counts district_c[N_DISTRICTS], city_c;
	int64_t district_id[N_DISTRICTS];
	int64_t fangcun_people, fangcun_party;
	int64_t next_id;
	int64_t ref_day;
	int64_t age_first[MAX_AGE + 1]; /* the first birth day of each age on census day */
	int age_days[MAX_AGE + 1];	/* and how many days (365 or 366) */
	struct layout lay;
	struct idgen ids;
	struct people_loader *loader;
	struct people_person *pp; /* one compound's people, reused */
	int *ppage;		  /* and their ages */
	size_t npp, cappp, capage;
	struct mu_progress prog;
	bool progress;
	struct sim_city_stats *st;
};

#define GROW(ptr, cap, need)                                                                       \
	do {                                                                                       \
		if ((need) > (cap)) {                                                              \
			size_t nc_ = (cap) ? (cap)*2 : 64;                                         \
			while (nc_ < (need))                                                       \
				nc_ *= 2;                                                          \
			(ptr) = mu_xrealloc((ptr), nc_ * sizeof *(ptr));                           \
			(cap) = nc_;                                                               \
		}                                                                                  \
	} while (0)

/* Largest-remainder apportionment of total over weights w[0..n): out sums to total,
 * each out[i] is floor or ceil of its quota; ties go to the lower index. */
struct rem {
	double frac;
	int i;
};

static int rem_cmp(const void *a, const void *b)
{
	const struct rem *x = a, *y = b;
	if (x->frac != y->frac)
		return x->frac > y->frac ? -1 : 1;
	return x->i - y->i;
}

static void apportion(int64_t total, const double *w, int n, int64_t *out)
{
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += w[i];
	struct rem *r = mu_xmalloc((size_t)n * sizeof *r);
	int64_t given = 0;
	for (int i = 0; i < n; i++) {
		double q = sum > 0 ? (double)total * w[i] / sum : 0;
		out[i] = (int64_t)floor(q);
		given += out[i];
		r[i].frac = q - (double)out[i];
		r[i].i = i;
	}
	qsort(r, (size_t)n, sizeof *r, rem_cmp);
	for (int64_t k = 0; given < total; k++, given++)
		out[r[k % n].i]++;
	free(r);
}

/* A street's weight in its district: a fixed hash of its code, so that the allocation of
 * the 2,759 communities is the same for every seed and scale. Towns are bigger. */
static double street_weight(int district_code, int suffix, bool town)
{
	uint64_t x = (uint64_t)district_code * 1000u + (uint64_t)suffix;
	double u = (double)(splitmix64(&x) >> 11) * 0x1.0p-53;
	return (0.6 + 0.8 * u) * (town ? 1.6 : 1.0);
}

static int split_names(const char *list, char names[][40], int max)
{
	int n = 0;
	const char *p = list;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		MU_ASSERT(n < max && len < 40);
		memcpy(names[n], p, len);
		names[n][len] = '\0';
		n++;
		p += len;
	}
	return n;
}

/* Districts, streets and communities: names, codes, the community allocation and the
 * scaled population of each community. */
static void plan_top(struct gen *g)
{
	int ns = 0;
	char names[64][40];
	for (int di = 0; di < N_DISTRICTS; di++) {
		const struct district_def *dd = &districts[di];
		double wsum = 0;
		int first = ns;
		for (int town = 0; town < 2; town++) {
			int n = split_names(town ? dd->towns : dd->streets, names, 64);
			for (int i = 0; i < n; i++) {
				MU_ASSERT(ns < N_STREETS);
				struct street *s = &g->streets[ns++];
				memset(s, 0, sizeof *s);
				s->district = di;
				s->town = town;
				s->code = town ? 100 + i : 1 + i;
				memcpy(s->name, names[i], sizeof s->name);
				s->pop = street_weight(dd->code, s->code, s->town);
				wsum += s->pop;
			}
		}
		for (int i = first; i < ns; i++)
			g->streets[i].pop = (double)dd->pop * g->streets[i].pop / wsum;
	}
	MU_ASSERT(ns == N_STREETS);

	/* Every street gets MIN_COMMUNITIES, the rest goes by population. */
	double w[N_STREETS];
	int64_t extra[N_STREETS];
	for (int i = 0; i < N_STREETS; i++)
		w[i] = g->streets[i].pop;
	apportion(N_COMMUNITIES - MIN_COMMUNITIES * N_STREETS, w, N_STREETS, extra);

	g->fangcun_people = llround(FANGCUN_PEOPLE * g->scale);
	g->fangcun_party = llround(FANGCUN_PARTY * g->scale);
	int nc = 0;
	for (int si = 0; si < N_STREETS; si++) {
		struct street *s = &g->streets[si];
		s->ncomm = MIN_COMMUNITIES + (int)extra[si];
		s->first_comm = nc;
		MU_ASSERT((size_t)s->ncomm <= N_PLACE_WORDS);
		int nvill = s->town ? (int)lround(s->ncomm * TOWN_VILLAGE_SHARE) : 0;
		if (s->town && nvill >= s->ncomm)
			nvill = s->ncomm - 1;
		struct rng r;
		rng_seed(&r, g->seed, STREAM_STREET, (uint64_t)si);
		/* Unique names within the street: a partial shuffle of the word list. */
		int perm[N_PLACE_WORDS];
		for (size_t i = 0; i < N_PLACE_WORDS; i++)
			perm[i] = (int)i;
		bool huajing = !strcmp(s->name, HUAJING_STREET);
		bool fangcun = !strcmp(s->name, FANGCUN_STREET);
		for (int i = 0; i < s->ncomm; i++) {
			int j = i + (int)rng_below(&r, (uint32_t)(N_PLACE_WORDS - (size_t)i));
			int t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
			struct community *c = &g->comms[nc++];
			memset(c, 0, sizeof *c);
			c->street = si;
			int ncomm_only = s->ncomm - nvill;
			c->village = i >= ncomm_only;
			c->suffix = c->village ? 200 + (i - ncomm_only) : 1 + i;
			snprintf(c->name, sizeof c->name, "%s%s", place_words[perm[i]],
				 c->village ? "村" : "社区");
			if (i == 0 && huajing) {
				c->special = SPECIAL_HUAJING;
				snprintf(c->name, sizeof c->name, "%s", HUAJING_COMMUNITY);
			}
			if (i == 0 && fangcun)
				c->special = SPECIAL_FANGCUN;
		}
	}
	MU_ASSERT(nc == N_COMMUNITIES);

	/* Scaled residents per community: the district's scaled total apportioned by
	 * street share × a seeded community share; 芳村花园's fixed residents come on top
	 * of its community's share, out of Liwan's total. */
	for (int di = 0; di < N_DISTRICTS; di++) {
		int64_t total = llround((double)districts[di].pop * g->scale);
		double cw[N_COMMUNITIES];
		int64_t cp[N_COMMUNITIES];
		int idx[N_COMMUNITIES], n = 0;
		struct rng r;
		rng_seed(&r, g->seed, STREAM_COMMUNITY, (uint64_t)di);
		for (int si = 0; si < N_STREETS; si++) {
			const struct street *s = &g->streets[si];
			if (s->district != di)
				continue;
			double share[64], sum = 0;
			for (int k = 0; k < s->ncomm; k++) {
				share[k] = 0.5 + rng_unit(&r);
				sum += share[k];
			}
			for (int k = 0; k < s->ncomm; k++) {
				idx[n] = s->first_comm + k;
				cw[n++] = s->pop * share[k] / sum;
			}
		}
		bool has_fangcun = false;
		for (int k = 0; k < n; k++)
			has_fangcun |= g->comms[idx[k]].special == SPECIAL_FANGCUN;
		if (has_fangcun)
			total -= g->fangcun_people;
		MU_ASSERT(total >= 0);
		apportion(total, cw, n, cp);
		for (int k = 0; k < n; k++) {
			struct community *c = &g->comms[idx[k]];
			c->pop = cp[k] + (c->special == SPECIAL_FANGCUN ? g->fangcun_people : 0);
		}
	}
}

/* Household sizes summing to exactly people, appended to *buf. */
static void draw_households(struct rng *r, int64_t people, uint8_t **buf, size_t *n, size_t *cap)
{
	while (people > 0) {
		int x = (int)rng_below(r, 1000), s = 1;
		while (s < HH_SIZE_MAX && x >= hh_size_pm[s]) {
			x -= hh_size_pm[s];
			s++;
		}
		if (s > people)
			s = (int)people;
		GROW(*buf, *cap, *n + 1);
		(*buf)[(*n)++] = (uint8_t)s;
		people -= s;
	}
}

static void lay_add_building(struct layout *L, struct rng *r, const uint8_t *sizes, size_t n,
			     int rpf_lo, int rpf_hi)
{
	GROW(L->b, L->capb, L->nb + 1);
	struct lay_bld *b = &L->b[L->nb++];
	b->first = (int)L->nh;
	b->n = (int)n;
	b->rpf = rng_range(r, rpf_lo, rpf_hi);
	b->people = 0;
	GROW(L->hh, L->caph, L->nh + n);
	for (size_t i = 0; i < n; i++) {
		L->hh[L->nh++] = sizes[i];
		b->people += sizes[i];
	}
}

/* A compound of nb buildings over sizes[0..n), households split evenly. */
static void lay_add_compound(struct layout *L, struct rng *r, const uint8_t *sizes, size_t n,
			     int nb, const char *known)
{
	GROW(L->c, L->capc, L->nc + 1);
	struct lay_comp *c = &L->c[L->nc];
	memset(c, 0, sizeof *c);
	c->first = (int)L->nb;
	c->n = nb;
	c->known = known;
	c->name_a = c->name_b = -1;
	if (!known) {
		/* Distinct names within the grid (its compounds are contiguous). */
		const struct lay_grid *g = &L->g[L->ng - 1];
		for (;;) {
			int a = (int)rng_below(r, N_COMPOUND_FIRST),
			    b = (int)rng_below(r, N_COMPOUND_LAST);
			bool dup = false;
			for (size_t k = (size_t)g->first; k < L->nc && !dup; k++)
				dup = L->c[k].name_a == a && L->c[k].name_b == b;
			if (!dup) {
				c->name_a = a;
				c->name_b = b;
				break;
			}
		}
	}
	L->nc++;
	bool tall = known || rng_below(r, 2);
	for (int i = 0; i < nb; i++) {
		size_t lo = n * (size_t)i / (size_t)nb, hi = n * (size_t)(i + 1) / (size_t)nb;
		lay_add_building(L, r, sizes + lo, hi - lo, tall ? 4 : 2, tall ? 8 : 4);
	}
	struct lay_comp *cc = &L->c[L->nc - 1];
	cc->c.below[PLACES_BUILDING] = nb;
	cc->c.below[PLACES_HOUSEHOLD] = (int64_t)n;
	for (int i = 0; i < nb; i++)
		cc->c.people += L->b[cc->first + i].people;
}

/* Lays out community c from its own random stream: the same c, seed and scale always
 * give the same layout, so the plan pass (counts) and the emit pass agree. */
static void layout_community(struct gen *g, int ci, struct counts *out)
{
	struct layout *L = &g->lay;
	const struct community *cm = &g->comms[ci];
	struct rng r;
	rng_seed(&r, g->seed, STREAM_LAYOUT, (uint64_t)ci);
	L->ng = L->nc = L->nb = L->nh = L->ntmp = 0;

	int64_t special_people = cm->special == SPECIAL_FANGCUN ? g->fangcun_people : 0;
	draw_households(&r, cm->pop - special_people, &L->tmp, &L->ntmp, &L->captmp);
	size_t nnormal = L->ntmp;
	draw_households(&r, special_people, &L->tmp, &L->ntmp, &L->captmp);

	int ngrids = (int)lround((double)cm->pop / PEOPLE_PER_GRID);
	if (ngrids < 1)
		ngrids = 1;
	MU_ASSERT(ngrids <= 999);
	for (int gi = 0; gi < ngrids; gi++) {
		GROW(L->g, L->capg, L->ng + 1);
		struct lay_grid *gr = &L->g[L->ng++];
		memset(gr, 0, sizeof *gr);
		gr->first = (int)L->nc;
		if (gi == 0 && cm->special == SPECIAL_FANGCUN)
			lay_add_compound(L, &r, L->tmp + nnormal, L->ntmp - nnormal,
					 FANGCUN_BUILDINGS, FANGCUN_NAME);
		size_t lo = nnormal * (size_t)gi / (size_t)ngrids;
		size_t hi = nnormal * (size_t)(gi + 1) / (size_t)ngrids;
		size_t hn = hi - lo;
		/* Several compounds per grid, of 40..160 households each. */
		int ncomp = (int)lround((double)hn / rng_range(&r, 40, 160));
		ncomp = ncomp < 1 ? 1 : ncomp > 90 ? 90 : ncomp;
		for (int k = 0; k < ncomp; k++) {
			size_t clo = lo + hn * (size_t)k / (size_t)ncomp;
			size_t chi = lo + hn * (size_t)(k + 1) / (size_t)ncomp;
			int per = rng_range(&r, 8, 36); /* households per building */
			int nb = (int)((chi - clo + (size_t)per - 1) / (size_t)per);
			nb = nb < 1 ? 1 : nb > 999 ? 999 : nb;
			const char *known = gi == 0 && k == 0 && cm->special == SPECIAL_HUAJING
						? HUAJING_NAME
						: NULL;
			lay_add_compound(L, &r, L->tmp + clo, chi - clo, nb, known);
		}
		gr = &L->g[L->ng - 1];
		gr->n = (int)L->nc - gr->first;
		gr->c.below[PLACES_COMPOUND] = gr->n;
		for (int k = gr->first; k < gr->first + gr->n; k++) {
			gr->c.below[PLACES_BUILDING] += L->c[k].c.below[PLACES_BUILDING];
			gr->c.below[PLACES_HOUSEHOLD] += L->c[k].c.below[PLACES_HOUSEHOLD];
			gr->c.people += L->c[k].c.people;
		}
	}
	memset(out, 0, sizeof *out);
	out->below[PLACES_GRID] = (int64_t)L->ng;
	out->below[PLACES_COMPOUND] = (int64_t)L->nc;
	out->below[PLACES_BUILDING] = (int64_t)L->nb;
	out->below[PLACES_HOUSEHOLD] = (int64_t)L->nh;
	for (size_t i = 0; i < L->ng; i++)
		out->people += L->g[i].c.people;
	MU_ASSERT(out->people == cm->pop);
}

static void counts_add(struct counts *to, const struct counts *c)
{
	for (int l = 0; l < PLACES_NLEVELS; l++)
		to->below[l] += c->below[l];
	to->people += c->people;
}

/* The plan pass: lays out every community once to learn the counts of every node above
 * the grids, which are inserted first (parents before children). */
static void plan_counts(struct gen *g)
{
	memset(g->district_c, 0, sizeof g->district_c);
	memset(&g->city_c, 0, sizeof g->city_c);
	for (int si = 0; si < N_STREETS; si++)
		memset(&g->streets[si].c, 0, sizeof g->streets[si].c);
	for (int ci = 0; ci < N_COMMUNITIES; ci++) {
		struct community *c = &g->comms[ci];
		layout_community(g, ci, &c->c);
		struct street *s = &g->streets[c->street];
		counts_add(&s->c, &c->c);
		s->c.below[PLACES_COMMUNITY]++;
	}
	for (int si = 0; si < N_STREETS; si++) {
		struct street *s = &g->streets[si];
		counts_add(&g->district_c[s->district], &s->c);
		g->district_c[s->district].below[PLACES_STREET]++;
	}
	for (int di = 0; di < N_DISTRICTS; di++) {
		counts_add(&g->city_c, &g->district_c[di]);
		g->city_c.below[PLACES_DISTRICT]++;
	}
}

/* ---- inserting places --------------------------------------------------------------- */

/* Writes prefix (plen bytes) then v zero-padded to width digits into out, NUL-ended;
 * returns the length. Millions of codes: cheaper than snprintf. */
static size_t code_cat(char *out, const char *prefix, size_t plen, unsigned v, int width)
{
	MU_ASSERT(plen + (size_t)width <= PLACES_CODE_MAX);
	memmove(out, prefix, plen);
	for (int i = width - 1; i >= 0; i--) {
		out[plen + (size_t)i] = (char)('0' + v % 10);
		v /= 10;
	}
	MU_ASSERT(v == 0);
	out[plen + (size_t)width] = '\0';
	return plen + (size_t)width;
}

static int put_place(struct gen *g, int64_t id, int64_t parent, int level, const char *code,
		     const char *name, const struct counts *c)
{
	struct places_node n;
	n.id = id;
	n.parent_id = parent;
	n.level = level;
	size_t cl = strlen(code), nl = strlen(name);
	MU_ASSERT(cl < sizeof n.code && nl < sizeof n.name);
	memcpy(n.code, code, cl + 1);
	memcpy(n.name, name, nl + 1);
	if (c) {
		memcpy(n.below, c->below, sizeof n.below);
		n.people = c->people;
	} else {
		memset(n.below, 0, sizeof n.below);
		n.people = 0;
	}
	g->st->places[level]++;
	return places_insert_raw(g->d, &n);
}

static int emit_top(struct gen *g)
{
	int rc;
	int64_t city = g->next_id++;
	if ((rc = put_place(g, city, 0, PLACES_CITY, CITY_CODE, CITY_NAME, &g->city_c)))
		return rc;
	char code[PLACES_CODE_MAX + 1];
	for (int di = 0; di < N_DISTRICTS; di++) {
		g->district_id[di] = g->next_id++;
		snprintf(code, sizeof code, "%d", districts[di].code);
		if ((rc = put_place(g, g->district_id[di], city, PLACES_DISTRICT, code,
				    districts[di].name, &g->district_c[di])))
			return rc;
	}
	for (int si = 0; si < N_STREETS; si++) {
		struct street *s = &g->streets[si];
		s->id = g->next_id++;
		snprintf(code, sizeof code, "%d%03d", districts[s->district].code, s->code);
		if ((rc = put_place(g, s->id, g->district_id[s->district], PLACES_STREET, code,
				    s->name, &s->c)))
			return rc;
	}
	for (int ci = 0; ci < N_COMMUNITIES; ci++) {
		struct community *c = &g->comms[ci];
		const struct street *s = &g->streets[c->street];
		c->id = g->next_id++;
		snprintf(code, sizeof code, "%d%03d%03d", districts[s->district].code, s->code,
			 c->suffix);
		if ((rc = put_place(g, c->id, s->id, PLACES_COMMUNITY, code, c->name, &c->c)))
			return rc;
	}
	return 0;
}

/* ---- people ------------------------------------------------------------------------- */

/* Tuned so that the city matches the census (0-14 13.87 %, 15-59 74.72 %, 60+ 11.41 %,
 * 52.83 % male) within a few tenths of a point; tests/unit/sim checks the shares. */
#define SHARE_MALE	    0.555
#define SHARE_ELDER_ALONE   0.16
#define SHARE_GRANDPARENT   0.15
#define SHARE_GRANDPARENT_5 0.30
#define SHARE_OTHER_ADULT   0.23

/* An adult age in [lo, hi], weighted towards the young end (Guangzhou's working
 * population is young: many migrants in their twenties and thirties). */
static int age_adult(struct rng *r, int lo, int hi)
{
	double u = rng_unit(r);
	return lo + (int)((double)(hi - lo + 1) * pow(u, 1.35));
}

static int age_elder(struct rng *r)
{
	int a = 60 + (int)(-log(1.0 - rng_unit(r)) * 8.5);
	return a > MAX_AGE ? MAX_AGE : a;
}

static int clamp_age(int a)
{
	return a < 0 ? 0 : a > MAX_AGE ? MAX_AGE : a;
}

/* A child of a parent aged pa (>= 20): born when the parent was 20..38. */
static int age_child(struct rng *r, int pa)
{
	int gap_hi = pa < 38 ? pa : 38;
	return pa - rng_range(r, 20, gap_hi < 20 ? 20 : gap_hi);
}

static int sex_draw(struct rng *r)
{
	return rng_unit(r) < SHARE_MALE ? PEOPLE_SEX_M : PEOPLE_SEX_F;
}
static int sex_other(int s)
{
	return s == PEOPLE_SEX_M ? PEOPLE_SEX_F : PEOPLE_SEX_M;
}

/* Ages and sexes of one household of n; children always live with an adult parent. */
static void household_members(struct rng *r, int n, int *age, int *sex)
{
	sex[0] = sex_draw(r);
	if (n == 1) {
		age[0] = rng_unit(r) < SHARE_ELDER_ALONE ? age_elder(r) : age_adult(r, 18, 59);
		return;
	}
	double u = rng_unit(r);
	if (n == 2) {
		if (u < 0.44) { /* a couple */
			age[0] = age_adult(r, 20, 59);
			age[1] = clamp_age(age[0] + rng_range(r, -4, 4));
			if (age[1] < 18)
				age[1] = 18;
			sex[1] = sex_other(sex[0]);
		} else if (u < 0.60) { /* an elderly couple */
			age[0] = age_elder(r);
			age[1] = clamp_age(age[0] + rng_range(r, -4, 4));
			if (age[1] < 60)
				age[1] = 60;
			sex[1] = sex_other(sex[0]);
		} else if (u < 0.80) { /* a parent and a child */
			age[0] = age_adult(r, 24, 56);
			age[1] = age_child(r, age[0]);
			sex[1] = sex_draw(r);
		} else { /* an adult and an elderly parent */
			age[0] = age_adult(r, 24, 50);
			age[1] = clamp_age(age[0] + rng_range(r, 22, 34));
			sex[1] = sex_draw(r);
		}
		return;
	}
	/* Three or more: two parents, their children and perhaps grandparents. */
	age[0] = age_adult(r, 24, 58);
	age[1] = clamp_age(age[0] + rng_range(r, -4, 4));
	if (age[1] < 20)
		age[1] = 20;
	sex[1] = sex_other(sex[0]);
	/* Besides children: grandparents, and grown children, siblings or flatmates (many
	 * of Guangzhou's households are young migrants sharing a flat). */
	double pe = n >= 5 ? SHARE_GRANDPARENT_5 : SHARE_GRANDPARENT, pa = SHARE_OTHER_ADULT;
	int grandparents = 0;
	for (int i = 2; i < n; i++) {
		double v = rng_unit(r);
		if (grandparents < 4 && v < pe) {
			age[i] = clamp_age(age[0] + rng_range(r, 22, 34));
			grandparents++;
		} else if (v < pe + pa) {
			age[i] = age_adult(r, 18, 45);
		} else {
			age[i] = age_child(r, age[0] < age[1] ? age[0] : age[1]);
		}
		sex[i] = sex_draw(r);
	}
}

static int surname_draw(struct rng *r)
{
	static int total;
	if (!total)
		for (size_t i = 0; i < N_SURNAMES; i++)
			total += surnames[i].w;
	int x = (int)rng_below(r, (uint32_t)total);
	for (size_t i = 0; i < N_SURNAMES; i++) {
		if (x < surnames[i].w)
			return (int)i;
		x -= surnames[i].w;
	}
	return 0;
}

static void name_make(struct rng *r, int surname, int sex, char *out, size_t outlen)
{
	const char *const *pool = sex == PEOPLE_SEX_M ? given_m : given_f;
	uint32_t np = sex == PEOPLE_SEX_M ? N_GIVEN_M : N_GIVEN_F;
	const char *a = pool[rng_below(r, np)];
	if (rng_unit(r) < 0.3)
		snprintf(out, outlen, "%s%s", surnames[surname].s, a);
	else
		snprintf(out, outlen, "%s%s%s", surnames[surname].s, a, pool[rng_below(r, np)]);
}

static void idgen_init(struct idgen *ig, int64_t ref_day)
{
	ig->day0 = mu_date_to_days(BIRTH_Y0, 1, 1);
	ig->ndays = ref_day - ig->day0 + 1;
	ig->next = mu_xcalloc((size_t)(N_REGIONS * 2 * ig->ndays), sizeof *ig->next);
	ig->fallbacks = 0;
}

/* A unique resident ID number for someone of district di born on day with sex: the
 * district's region code unless its sequence numbers of that day and parity are used up,
 * then another region code of the city. */
static void idgen_make(struct idgen *ig, int di, int64_t day, int sex, char out[19])
{
	static const int chain_of[N_DISTRICTS] = {
	    REGION_FANGCUN, REGION_DONGSHAN, -1, -1, -1, REGION_LUOGANG, -1, -1, -1, -1, -1};
	int chain[6] = {
	    di, chain_of[di], REGION_CITY, REGION_DONGSHAN, REGION_FANGCUN, REGION_LUOGANG};
	int64_t off = day - ig->day0;
	MU_ASSERT(off >= 0 && off < ig->ndays);
	for (int k = 0; k < 6; k++) {
		int reg = chain[k];
		if (reg < 0 || (k >= 3 && (reg == chain[1])))
			continue;
		uint16_t *slot =
		    &ig->next[((size_t)reg * 2 + (size_t)(sex - 1)) * (size_t)ig->ndays +
			      (size_t)off];
		if (*slot >= ID_SEQ_PER_SEX)
			continue;
		int n = (*slot)++;
		/* Odd sequence numbers for men (1, 3, .. 997), even for women (2, 4, .. 998). */
		int seq = sex == PEOPLE_SEX_M ? 2 * n + 1 : 2 * n + 2;
		int y, m, d;
		mu_days_to_date(day, &y, &m, &d);
		char first17[18];
		snprintf(first17, sizeof first17, "%06d%04d%02d%02d%03d", region_codes[reg], y, m,
			 d, seq);
		memcpy(out, first17, 17);
		out[17] = people_idcard_check_digit(first17);
		out[18] = '\0';
		if (k > 0)
			ig->fallbacks++;
		return;
	}
	mu_panic(__FILE__, __LINE__, "resident ID sequence numbers exhausted");
}

/* Generates the people of households [h0, h1) of the current layout into g->pp, in
 * household order, with ages in g->ppage. */
static void people_of(struct gen *g, struct rng *r, int di, size_t h0, size_t h1,
		      const int64_t *hh_ids)
{
	g->npp = 0;
	int age[HH_SIZE_MAX], sex[HH_SIZE_MAX];
	for (size_t h = h0; h < h1; h++) {
		int n = g->lay.hh[h];
		household_members(r, n, age, sex);
		int fam = surname_draw(r); /* the father's surname, which the children take */
		GROW(g->pp, g->cappp, g->npp + (size_t)n);
		GROW(g->ppage, g->capage, g->npp + (size_t)n);
		for (int i = 0; i < n; i++) {
			struct people_person *p = &g->pp[g->npp];
			g->ppage[g->npp++] = age[i];
			memset(p, 0, sizeof *p);
			p->household_id = hh_ids[h - h0];
			p->id_type = PEOPLE_ID_RESIDENT;
			p->sex = sex[i];
			bool child = i >= 2 || (n == 2 && i == 1 && age[1] < age[0] - 15);
			bool own_surname = !child || rng_unit(r) < 0.05;
			name_make(r, own_surname && i > 0 ? surname_draw(r) : fam, sex[i], p->name,
				  sizeof p->name);
			/* Born on a day that makes them exactly age[i] on census day. */
			int64_t birth = g->age_first[age[i]] +
					(int64_t)rng_below(r, (uint32_t)g->age_days[age[i]]);
			p->birth = birth;
			idgen_make(&g->ids, di, birth, sex[i], p->id_number);
			if (age[i] >= 12)
				snprintf(p->phone, sizeof p->phone, "%d%08u",
					 phone_prefix[rng_below(r, N_PHONE_PREFIX)],
					 rng_below(r, 100000000u));
			p->party = age[i] >= 18 && rng_unit(r) < PARTY_SHARE;
		}
	}
}

/* 芳村花园 has exactly fangcun_party members: a seeded choice among its adults. */
static void fix_party(struct gen *g, struct rng *r, int64_t want)
{
	size_t nadult = 0;
	int *adult = mu_xmalloc((g->npp + 1) * sizeof *adult);
	for (size_t i = 0; i < g->npp; i++) {
		g->pp[i].party = false;
		if (g->ppage[i] >= 18)
			adult[nadult++] = (int)i;
	}
	if (want > (int64_t)nadult)
		want = (int64_t)nadult;
	for (int64_t k = 0; k < want; k++) {
		size_t j = (size_t)k + rng_below(r, (uint32_t)(nadult - (size_t)k));
		int t = adult[k];
		adult[k] = adult[j];
		adult[j] = t;
		g->pp[adult[k]].party = true;
	}
	free(adult);
}

static int emit_community(struct gen *g, int ci)
{
	struct community *cm = &g->comms[ci];
	const struct street *s = &g->streets[cm->street];
	int di = s->district;
	struct counts check;
	layout_community(g, ci, &check);
	MU_ASSERT(!memcmp(&check, &cm->c, sizeof check));
	struct layout *L = &g->lay;
	struct rng r;
	rng_seed(&r, g->seed, STREAM_PEOPLE, (uint64_t)ci);
	char ccode[PLACES_CODE_MAX + 1], code[PLACES_CODE_MAX + 1], name[PLACES_NAME_MAX * 4 + 1];
	char dcode[8];
	snprintf(dcode, sizeof dcode, "%d", districts[di].code);
	size_t sl = code_cat(ccode, dcode, strlen(dcode), (unsigned)s->code, 3);
	size_t cl = code_cat(ccode, ccode, sl, (unsigned)cm->suffix, 3);
	int64_t *hh_ids = NULL;
	size_t hh_cap = 0;
	int rc = 0;
	for (size_t gi = 0; gi < L->ng; gi++) {
		const struct lay_grid *gr = &L->g[gi];
		int64_t gid = g->next_id++;
		char gcode[PLACES_CODE_MAX + 1];
		size_t gl = code_cat(gcode, ccode, cl, (unsigned)gi + 1, 3);
		snprintf(name, sizeof name, "第%zu网格", gi + 1);
		if ((rc = put_place(g, gid, cm->id, PLACES_GRID, gcode, name, &gr->c)))
			goto out;
		for (int k = 0; k < gr->n; k++) {
			const struct lay_comp *c = &L->c[gr->first + k];
			int64_t cid = g->next_id++;
			char kcode[PLACES_CODE_MAX + 1];
			size_t kl = code_cat(kcode, gcode, gl, (unsigned)k + 1, 2);
			if (c->known)
				snprintf(name, sizeof name, "%s", c->known);
			else
				snprintf(name, sizeof name, "%s%s", compound_first[c->name_a],
					 compound_last[c->name_b]);
			if ((rc = put_place(g, cid, gid, PLACES_COMPOUND, kcode, name, &c->c)))
				goto out;
			size_t h0 = (size_t)L->b[c->first].first, h1 = h0;
			for (int bi = 0; bi < c->n; bi++) {
				const struct lay_bld *b = &L->b[c->first + bi];
				int64_t bid = g->next_id++;
				char bcode[PLACES_CODE_MAX + 1];
				size_t bl = code_cat(bcode, kcode, kl, (unsigned)bi + 1, 3);
				snprintf(name, sizeof name, "%d栋", bi + 1);
				struct counts bc = {.people = b->people};
				bc.below[PLACES_HOUSEHOLD] = b->n;
				if ((rc =
					 put_place(g, bid, cid, PLACES_BUILDING, bcode, name, &bc)))
					goto out;
				for (int hi = 0; hi < b->n; hi++) {
					int64_t hid = g->next_id++;
					code_cat(code, bcode, bl, (unsigned)hi + 1, 4);
					/* Room numbers: floor then room, as in "1203". */
					int floor_no = hi / b->rpf + 1;
					code_cat(name, "", 0, (unsigned)floor_no,
						 floor_no >= 100  ? 3
						 : floor_no >= 10 ? 2
								  : 1);
					code_cat(name, name, strlen(name),
						 (unsigned)(hi % b->rpf + 1), 2);
					struct counts hc = {.people = L->hh[b->first + hi]};
					if ((rc = put_place(g, hid, bid, PLACES_HOUSEHOLD, code,
							    name, &hc)))
						goto out;
					GROW(hh_ids, hh_cap, h1 - h0 + 1);
					hh_ids[h1 - h0] = hid;
					h1++;
				}
			}
			people_of(g, &r, di, h0, h1, hh_ids);
			if (c->known && !strcmp(c->known, FANGCUN_NAME))
				fix_party(g, &r, g->fangcun_party);
			for (size_t i = 0; i < g->npp; i++) {
				if ((rc = people_loader_add_trusted(g->loader, &g->pp[i]))) {
					mu_error("sim: inserting a person failed: %s",
						 mu_err_msg(rc));
					goto out;
				}
				g->st->party += g->pp[i].party;
			}
			g->st->people += (int64_t)g->npp;
		}
		if (g->progress)
			mu_progress_set(&g->prog, (uint64_t)g->st->people);
	}
out:
	free(hh_ids);
	return rc;
}

static void gen_free(struct gen *g)
{
	free(g->lay.g);
	free(g->lay.c);
	free(g->lay.b);
	free(g->lay.hh);
	free(g->lay.tmp);
	free(g->ids.next);
	free(g->pp);
	free(g->ppage);
	people_loader_free(g->loader);
	free(g);
}

int sim_city_generate(struct db *d, const struct people_keys *keys, const struct sim_city_opts *o,
		      struct sim_city_stats *stats)
{
	struct sim_city_stats local = {0};
	struct sim_city_stats *st = stats ? stats : &local;
	memset(st, 0, sizeof *st);
	if (o->preset && strcmp(o->preset, SIM_PRESET_GUANGZHOU_2021))
		return MU_EINVAL;
	if (!(o->scale > 0 && o->scale <= 4))
		return MU_EINVAL;
	double t0 = mu_now_mono();
	int64_t n = 0;
	int rc = places_root(d, &n);
	if (rc == 0)
		return MU_EEXIST;
	if (rc != MU_ENOTFOUND || (rc = people_max_id(d, &n)))
		return rc;
	if (n > 0)
		return MU_EEXIST;

	struct gen *g = mu_xcalloc(1, sizeof *g);
	g->d = d;
	g->keys = keys;
	g->seed = o->seed;
	g->scale = o->scale;
	g->st = st;
	g->progress = o->progress;
	g->next_id = 1;
	g->ref_day = mu_date_to_days(REF_Y, REF_M, REF_D);
	for (int a = 0; a <= MAX_AGE; a++) {
		g->age_first[a] = mu_date_to_days(REF_Y - a - 1, REF_M, REF_D) + 1;
		g->age_days[a] =
		    (int)(mu_date_to_days(REF_Y - a, REF_M, REF_D) - g->age_first[a] + 1);
	}
	idgen_init(&g->ids, g->ref_day);
	plan_top(g);
	plan_counts(g);

	static const char *const tables[] = {"places", "people", NULL};
	if ((rc = db_bulk_begin(d, tables))) {
		gen_free(g);
		return rc;
	}
	if (g->progress)
		mu_progress_init(&g->prog, "people", (uint64_t)g->city_c.people);
	if ((rc = emit_top(g)))
		goto out;
	/* The places rows already hold their people counts (computed in the plan), so the
	 * loader's finish, which would add them a second time, is never called: per
	 * people.h, add inserts and finish only writes the pending counts. A loader per
	 * community keeps its map of pending counts small (it would reach ~270 MB for the
	 * whole city's 7 M households). */
	for (int ci = 0; ci < N_COMMUNITIES && rc == 0; ci++) {
		g->loader = people_loader_new(d, keys);
		rc = emit_community(g, ci);
		people_loader_free(g->loader);
		g->loader = NULL;
	}
out:
	if (g->progress)
		mu_progress_fini(&g->prog);
	{
		double t1 = mu_now_mono();
		int rc2 = db_bulk_end(d, rc == 0);
		if (rc == 0)
			rc = rc2;
		st->commit_seconds = mu_now_mono() - t1;
	}
	if (rc == 0)
		rc = forces_post_sync(d, 0, mu_now_unix(), &st->posts);
	st->id_fallbacks = g->ids.fallbacks;
	st->seconds = mu_now_mono() - t0;
	gen_free(g);
	return rc;
}
