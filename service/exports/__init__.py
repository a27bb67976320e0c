"""Large exports as jobs: the job kind "export", its kept files and their download (the
registry of export kinds is service.common.exports; domains register their kinds there)."""

from __future__ import annotations

import click


def init_app(app) -> None:
    from service.exports import api
    from service.exports.jobs import JOB_KIND, cleanup_expired, export_job
    from service.extensions import api as api_ext
    from service.extensions import csrf
    from service.jobs import register as register_job

    register_job(JOB_KIND, export_job, "Xuất bảng tính", file_endpoint="exports_api.download")
    csrf.exempt(api.blp)
    api_ext.register_blueprint(api.blp)

    @app.cli.command("exports-cleanup")
    def exports_cleanup():
        """Xóa các tệp bảng tính đã xuất quá EXPORT_KEEP_HOURS giờ."""
        click.echo(f"Đã xóa {cleanup_expired()} tệp hết hạn.")
