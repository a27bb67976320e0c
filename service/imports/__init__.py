"""The import framework: registry of import kinds, reading a template file, error reports; the
core registers "Cán bộ" and "Đơn vị", domains register theirs (service.imports.registry)."""


def init_app(app) -> None:
    from service.imports.jobs import JOB_KIND, import_job
    from service.imports.operations import import_people, import_units
    from service.jobs import register as register_job

    register_job(JOB_KIND, import_job, "Nhập dữ liệu từ Excel")
    from service.imports.registry import register_import
    from service.imports.schemas import PEOPLE_COLUMNS, UNIT_COLUMNS

    register_import(
        "people", "Cán bộ", PEOPLE_COLUMNS, "mau_can_bo.xlsx", "import.people", import_people
    )
    register_import(
        "units", "Đơn vị", UNIT_COLUMNS, "mau_don_vi.xlsx", "import.units", import_units
    )
