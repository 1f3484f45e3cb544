"""A demo topic over the shipped demo corpus, run as soon as the corpus is loaded.

The demo corpus has no Chinese applicant addresses, so the demo focuses on a country of origin
(France, home of the drone maker Parrot) against the whole topic, which the same analyses support.
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
)


def load_demo(session: Session, actors: dict[str, Actor], files) -> int:
    owner = actors["sipa.handler"]
    for form in DEMO_TOPICS:
        topic = service.create_topic(session, owner, form, is_demo=True)
        # Queued now, after the corpus load job queued by the patents plugin: jobs run in order.
        run = service.new_run(session, owner, topic)
        run.job_id = jobs.enqueue(session, owner, service.RUN_JOB, {"run_id": run.id}).id
    return len(DEMO_TOPICS)
