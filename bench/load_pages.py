"""The pages bench_load requests, by role (shared by the locust scenario and the report;
no locust import here: it would monkey-patch the reporting process with gevent)."""

ROLES = ("hr", "manager", "director", "operator")
SEARCH_TERMS = ("王", "李", "SC0001", "Li", "E1000")

# Pages every role may open (name -> path); names are what bench_load reports.
COMMON_PAGES = {
    "home (dashboard)": "/",
    "org chart": "/org/chart/",
    "units list": "/org/units/",
    "positions list": "/org/positions/",
    "job descriptions list": "/org/job-descriptions/",
    "job description detail": None,  # a random published job description
    "RACI matrix": "/org/raci/",
    "RACI analysis": "/org/raci/analysis/",
    "who does what": "/org/who-does-what/",
    "API staff list": "/api/org/staff/",
    "API units chart": "/api/org/units/chart/",
}
STAFF_PAGES = {  # operators have no staff list (it redirects to their own profile)
    "staff list": "/org/staff/",
    "staff search": None,  # ?q=<term>
    "staff filter": "/org/staff/?status=active&hired_after=2022-01-01&sort=-hire_date",
}
AUDIT_PAGES = {"audit list": "/data/audit/"}  # HR, admin and auditors only
# Every module's main pages, as each role uses them.
MODULE_PAGES = {
    "my reviews": "/performance/reviews/mine/",
    "review cycles": "/performance/cycles/",
    "1:1s": "/performance/one-on-ones/",
    "my learning": "/training/",
    "course catalogue": "/training/courses/",
    "my growth": "/careers/growth/",
    "career ladders": "/careers/ladders/",
    "promotion rounds": "/careers/rounds/",
    "recognition feed": "/incentives/recognition/",
    "my rewards": "/incentives/rewards/mine/",
    "inbox": "/collab/inbox/",
    "announcements": "/collab/announcements/",
    "knowledge base": "/collab/knowledge/",
    "meetings": "/collab/meetings/",
    "work reports": "/collab/reports/",
    "suggestion box": "/collab/suggestions/",
    "pulse surveys": "/surveys/pulse/",
    "my work": "/workflow/my/",
    "processes": "/workflow/",
    "work items": "/workflow/items/",
}
MANAGER_MODULE_PAGES = {  # managers, directors and HR
    "performance dashboard": "/performance/dashboard/",
    "team learning": "/training/team/",
    "team readiness": "/careers/team/",
    "bonus pools": "/incentives/pools/",
    "report digest": "/collab/reports/digest/",
    "workload": "/workflow/workload/",
    "system reviews": "/reviews/",
}
HR_MODULE_PAGES = {
    "training overview": "/training/overview/",
    "fairness review": "/incentives/fairness/",
}
PAGES_BY_ROLE = {
    "hr": {
        **COMMON_PAGES,
        **STAFF_PAGES,
        **AUDIT_PAGES,
        **MODULE_PAGES,
        **MANAGER_MODULE_PAGES,
        **HR_MODULE_PAGES,
    },
    "manager": {**COMMON_PAGES, **STAFF_PAGES, **MODULE_PAGES, **MANAGER_MODULE_PAGES},
    "director": {**COMMON_PAGES, **STAFF_PAGES, **MODULE_PAGES, **MANAGER_MODULE_PAGES},
    "operator": {**COMMON_PAGES, **MODULE_PAGES},
}
