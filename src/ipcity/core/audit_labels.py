"""What the audit page calls each recorded action: the log keeps the stable code, people read the label."""

from __future__ import annotations

from ipcity.core.i18n import Msg

ACTION_LABELS: dict[str, Msg] = {
    "login": Msg("Signed in"),
    "login.failed": Msg("Sign-in refused (wrong user name or password)"),
    "login.throttled": Msg("Sign-in blocked after repeated failures"),
    "logout": Msg("Signed out"),
    "user.create": Msg("Account created"),
    "user.status": Msg("Account enabled or disabled"),
    "user.password_change": Msg("Password changed"),
    "user.identity_verified": Msg("Identity verified"),
    "user.identity_revoked": Msg("Identity verification revoked"),
    "pledge.valuation": Msg("Patent valuation made"),
    "user.register": Msg("Account registered by its holder"),
    "user.register_duplicate": Msg("Registration with an e-mail address already in use"),
    "user.email_confirmed": Msg("E-mail address confirmed"),
    "user.password_reset_requested": Msg("Password reset requested"),
    "user.password_reset": Msg("Password reset"),
    "user.identity_submitted": Msg("Identity materials submitted"),
    "user.identity_refused": Msg("Identity verification refused"),
    "user.identity_material_opened": Msg("Identity document opened by an official"),
    "document.reissue": Msg("Document issued again"),
    "unit.create": Msg("Unit created"),
    "unit.update": Msg("Unit changed"),
    "calendar.import": Msg("Working-day calendar imported"),
    "job.enqueue": Msg("Background job queued"),
    "job.done": Msg("Background job finished"),
    "job.failed": Msg("Background job failed"),
    "job.running": Msg("Background job started"),
    "case.create": Msg("Case opened"),
    "case.transition": Msg("Case step taken"),
    "case.update": Msg("Case details changed"),
    "case.document_add": Msg("Document added to a case"),
    "dataip.file": Msg("Data-IP registration filed"),
    "dataip.check": Msg("Data-IP registry checked"),
    "dataip.log_check": Msg("Transparency log checked"),
    "dataip.object": Msg("Objection to a data-IP registration"),
    "openlicense.declare": Msg("Open-licence declaration filed"),
    "openlicense.take": Msg("Open licence taken"),
    "openlicense.payment": Msg("Royalty payment recorded"),
    "pledge.file": Msg("Pledge registration filed"),
    "pledge.consent": Msg("Pledgee's confirmation"),
    "pledge.insist": Msg("Parties insist on registration"),
    "patent.register.entry": Msg("Patent register entry recorded"),
    "patent.register.change": Msg("Patent register entry changed"),
    "patent.register.close": Msg("Patent register entry closed"),
    "patents.export": Msg("Patent search results exported"),
    "patents.ingest.start": Msg("Patent data import started"),
    "patents.ingest.done": Msg("Patent data import finished"),
    "patents.ingest.failed": Msg("Patent data import failed"),
    "workplan.import": Msg("Work plan imported"),
    "rights.route": Msg("Rights-protection request routed"),
    "rights.routing": Msg("Routing table of the network changed"),
    "rights.document": Msg("Adjudication document issued"),
    "rights.recusal": Msg("Panel member recused"),
    "rights.evidence": Msg("Evidence recorded on an adjudication"),
    "rights.hearing": Msg("Hearing recorded"),
    "rights.receipt": Msg("Receipt of the decision recorded"),
    "rights.dishonest": Msg("Recorded on the serious dishonesty list"),
    "rights.fair.create": Msg("Fair added"),
    "rights.fair.change": Msg("Fair changed"),
    "rights.fair.undertaking": Msg("Exhibitor's undertaking signed"),
    "rights.fair.statement": Msg("Respondent's written statement recorded"),
    "rights.fair.facts": Msg("Facts of a fair complaint recorded"),
    "rights.mediation.open": Msg("Mediation opened"),
    "rights.mediation.agreement": Msg("Mediation agreement recorded"),
    "rights.mediation.confirmation": Msg("Judicial confirmation requested"),
    "rights.mediation.confirmation_result": Msg("Result of the judicial confirmation recorded"),
    "rights.mediation.performance": Msg("Performance of the agreement recorded"),
    "rights.overseas.guidance": Msg("Overseas guidance recorded"),
    "rights.alert.publish": Msg("Risk alert published"),
    "rights.library.add": Msg("Case added to the overseas library"),
    "create": Msg("Created"),
    "update": Msg("Changed"),
    "delete": Msg("Deleted"),
    "run": Msg("Analysis run started"),
}


OBJECT_LABELS: dict[str, Msg] = {
    "user": Msg("Account"), "unit": Msg("Unit"), "calendar": Msg("Working-day calendar"), "case": Msg("Case"),
    "patent_saved_search": Msg("Saved patent search"), "patent_search_history": Msg("Patent search history"),
    "job": Msg("Background job"), "workplan": Msg("Work plan"), "workplan.point": Msg("Work point"),
    "dataip.product": Msg("Data product"), "dataip.log": Msg("Transparency log"),
    "dataip.certificate": Msg("Data-IP registration certificate"),
    "openlicense.declaration": Msg("Open-licence declaration"), "openlicense.licence": Msg("Open licence"),
    "pledge.registration": Msg("Pledge registration"), "pledge.notice": Msg("Notices of patent pledge registration"),
    "pledge_valuation": Msg("Patent valuation"), "nav_topic": Msg("Navigation topic"),
    "navigation.report": Msg("Patent navigation report"), "patent_ingest_run": Msg("Patent data import"),
    "patent_register_entry": Msg("Patent register entry"), "patent_search": Msg("Patent search"),
    "rights.request": Msg("Rights-protection request"), "rights.route": Msg("Routing rule"),
    "rights.adjudication": Msg("Administrative adjudication"), "rights.mediation": Msg("Mediation"),
    "rights.fair": Msg("Fair"), "rights.fair_complaint": Msg("Fair complaint"),
    "rights.overseas": Msg("Overseas guidance case"), "rights.alert": Msg("Risk alert"),
    "rights.library": Msg("Overseas case library entry"),
}


def object_label(object_type: str) -> Msg | str:
    return OBJECT_LABELS.get(object_type, object_type)


def action_label(action: str) -> Msg | str:
    """The label of an audit action; a code without one (a newer service's) shows as written, for the
    catalogue check to catch."""
    return ACTION_LABELS.get(action, action)
