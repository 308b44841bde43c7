"""The composition root: the only package that names adapter classes or imports dependency_injector.

Read it top to bottom:
- `adapters.py`: the two adapter sets, `ProductionAdapters` (SQL, argon2, Redis when configured,
  SMTP) and `MemoryAdapters` (everything in memory), with the same provider names.
- `use_cases.py`: `UseCases`, one provider per use case over whichever adapter set it is given,
  and `Policies`, the domain policies the settings define.
- `http.py`: `http_handlers`, the typed collection of use cases the HTTP layer serves.
- `lifecycle.py`: `production` / `in_memory` assemble a service; `start` / `stop` run the
  `Lifecycle` of every adapter that holds resources, in declared order.
"""
