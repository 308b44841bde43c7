"""The hosted pages: server-rendered HTML (Jinja2, autoescaped) whose small scripts call Bastion's own
JSON API from the browser, like any other client. Nothing here reaches a use case: a team can
replace these pages with its own front end without touching anything else."""
