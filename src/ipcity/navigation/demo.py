"""Demo topics over the shipped demo corpus, run as soon as the corpus is loaded.

Two comparisons the analyses support: a country of origin against the whole topic (France, home of the drone
maker Parrot, in the Lens drones export), and a Chinese region against all of China (Shanghai, code 31, in new-
energy batteries and storage) on the synthetic Chinese set — the only demo records with applicant addresses,
region codes and dates (patents/demo_data/NOTICE.md: real KPPatent-ZH texts, fictional bibliography). That topic
keeps to Chinese publications (CC=CN: no drone batteries from the Lens export) filed from 2016 on: a period leaves
out records without a filing date, here the real but undated titles of cn_titles_ipc.jsonl.gz, so that its report
counts the synthetic set only (and the demo register's fictional battery patent, demo_register.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipcity.core import jobs
from ipcity.core.roles import Actor
from ipcity.navigation import service

DEMO_TOPICS = (
    {"name": "无人机产业专利导航（演示）", "nav_type": "industry", "kind": "query",
     "query": '无人机 OR drone OR drones OR UAV OR "unmanned aerial vehicle"', "focus_region": "FR",
     "description": "演示：演示语料中的无人机（Lens 导出）专利，以法国为关注地区与全部专利对比。", "shared": "1"},
    {"name": "上海新能源电池与储能专利导航（演示）", "nav_type": "regional", "kind": "query",
     "query": "(TI=电池 OR TI=储能 OR IPC=H01M OR IPC=H02J) AND CC=CN", "focus_region": "31",
     "start_year": "2016",
     "description": "演示：合成中文演示数据集（摘要等文本取自 KPPatent-ZH，申请人、地址、日期、号码和法律状态均为虚构）"
                    "中的电池与储能专利，以上海为关注地区与全国对比。数字不反映任何真实情况。", "shared": "1"},
)


def load_demo(session: Session, actors: dict[str, Actor], files) -> int:
    owner = actors["sipa.handler"]
    for form in DEMO_TOPICS:
        topic = service.create_topic(session, owner, form, is_demo=True)
        # Queued now, after the corpus load job queued by the patents plugin: jobs run in order.
        run = service.new_run(session, owner, topic)
        run.job_id = jobs.enqueue(session, owner, service.RUN_JOB, {"run_id": run.id}).id
    return len(DEMO_TOPICS)
