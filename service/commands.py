"""CLI of the core: flask --app wsgi create-admin | demo-data | rq-worker (domains add theirs)."""

from __future__ import annotations

import os

import click
from flask import g
from sqlalchemy import func, select

from service.extensions import db


def init_app(app):
    init_audit_commands(app)
    init_backup_commands(app)

    @app.cli.command("create-admin")
    @click.option("--username", prompt="Tên đăng nhập")
    @click.option("--password", prompt="Mật khẩu", hide_input=True, confirmation_prompt=True)
    @click.option("--full-name", default="Quản trị viên")
    def create_admin(username, password, full_name):
        """Tạo tài khoản quản trị viên (hoặc cấp quyền quản trị cho tài khoản đã có)."""
        from service.auth.models import Role, RoleAssignment, User

        if len(password) < 8:
            raise click.BadParameter("Mật khẩu tối thiểu 8 ký tự.")
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, full_name=full_name)
            db.session.add(user)
        user.set_password(password)
        if not user.is_admin:
            user.roles.append(RoleAssignment(role=Role.ADMIN))
        db.session.commit()
        click.echo(f"Đã tạo/cập nhật quản trị viên {username}.")

    @app.cli.command("demo-data")
    @click.option("--force", is_flag=True, help="Nạp kể cả khi đã có dữ liệu.")
    def demo_data(force):
        """Nạp dữ liệu mẫu một phường (xác định, chạy lại không đổi)."""
        from service.demo import load_demo
        from service.org.models import Unit

        g.db_writes = True
        if not force and db.session.scalar(select(func.count(Unit.id))):
            click.echo("Đã có dữ liệu; bỏ qua (dùng --force để nạp lại).")
            return
        summary = load_demo()
        db.session.commit()
        click.echo(
            f"Đã nạp {summary['units']} đơn vị, {summary['people']} cán bộ, "
            f"{summary['users']} tài khoản"
            + "".join(f"; {line}" for line in summary["domains"])
            + "."
        )
        for username, role in summary["logins"]:
            click.echo(f"  {username:12} / {summary['password']}   ({role})")

    @app.cli.command("rq-worker")
    @click.option("--burst", is_flag=True, help="Xử lý hết hàng đợi rồi thoát.")
    def rq_worker(burst):
        """Chạy tiến trình xử lý công việc nền (RQ, cần REDIS_URL); chạy được trên nhiều máy."""
        from redis import Redis
        from rq import Queue

        from service.jobs import runners

        url = app.config.get("REDIS_URL")
        if not url:
            raise click.UsageError("Cần đặt REDIS_URL (ví dụ redis://127.0.0.1:6379/0).")
        conn = Redis.from_url(url)
        nice = app.config.get("JOBS_NICE") or 0
        if nice:
            os.nice(nice)  # the web requests first: a recompute takes what CPU they leave
        # jobs a dead worker of this machine left running, jobs Redis lost; then periodically
        runners.sweep()
        every = int(app.config.get("JOBS_SWEEP_SECONDS") or 30)
        # the scheduler moves jobs put off until their scope is quiet (jobs.rq_entry) back in
        runners.rq_worker([Queue(runners.QUEUE, connection=conn)], conn, every).work(
            burst=burst, with_scheduler=True
        )


def init_audit_commands(app):
    @app.cli.command("audit-verify")
    def audit_verify():
        """Kiểm tra chuỗi băm của nhật ký (mục đầu tiên bị sửa, xóa hoặc chèn)."""
        from service.audit.chain import verify

        out = verify()
        if out["ok"]:
            click.echo(f"Nhật ký toàn vẹn: {out['entries']} mục.")
            return
        b = out["broken"]
        click.echo(
            f"Nhật ký bị thay đổi tại mục id={b['id']} (thứ tự {b['seq']}): {b['why']}.", err=True
        )
        raise SystemExit(1)


def _summary(counts: dict) -> str:
    """ "N dòng của T bảng và F tệp" from a backup's or a restore's counts."""
    rows = {k: v for k, v in counts.items() if not k.startswith("files:")}
    files = sum(v for k, v in counts.items() if k.startswith("files:"))
    return f"{sum(rows.values())} dòng của {len(rows)} bảng và {files} tệp"


def init_backup_commands(app):
    @app.cli.command("backup")
    @click.argument("file", type=click.Path(dir_okay=False))
    def backup_command(file):
        """Sao lưu toàn bộ cơ sở dữ liệu vào FILE (gzip, chuyển được giữa SQLite và PostgreSQL)."""
        from service.backup import backup

        partial = f"{file}.part"
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":  # one consistent snapshot of every table
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin(), open(partial, "wb") as out:
                counts = backup(conn, out)
        os.replace(partial, file)
        click.echo(f"Đã sao lưu {_summary(counts)} vào {file}.")

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    def restore_command(file):
        """Khôi phục FILE vào cơ sở dữ liệu trống (đã `flask db upgrade`); lỗi thì không ghi gì."""
        from service.backup import BackupError, restore

        try:
            with db.engine.begin() as conn, open(file, "rb") as src:
                counts = restore(conn, src)
        except BackupError as err:
            raise click.ClickException(str(err)) from None
        click.echo(f"Đã khôi phục {_summary(counts)}.")
