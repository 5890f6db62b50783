from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from daycentre.auth import bp
from daycentre.auth import services as accounts
from daycentre.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    NewUserForm,
    ResetPasswordForm,
    UserForm,
)
from daycentre.auth.models import User
from daycentre.auth.permissions import requires
from daycentre.auth.roles import ACCOUNT
from daycentre.centres.models import Centre
from daycentre.errors import Refused
from daycentre.extensions import db, limiter, login_form_username
from daycentre.forms import run_service


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute URL an attacker could send us to."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for("home.index")


def _failed_login(response) -> bool:
    return response.status_code != 302


def _wrong_credentials(response) -> bool:
    """Only a username and password actually checked and refused count against the address.

    Colleagues behind one office address (NAT) share its budget: a form sent again after its
    page expired, or a server error, is nobody's guess and must not lock the office out.
    """
    return g.get("credentials_refused", False)


def _start_session(user, signed_in_at: float | None = None) -> None:
    """A fresh session (no fixation), keeping the language chosen before signing in."""
    language = session.get("locale")
    session.clear()
    login_user(user)
    session["signed_in_at"] = signed_in_at or datetime.now(UTC).timestamp()
    if language:
        session["locale"] = language


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_wrong_credentials,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=login_form_username,
    methods=["POST"],
    deduct_when=_failed_login,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(
            form.username.data, form.password.data, address=request.remote_addr
        )
        if user is not None:
            if user.locale is None and session.get("locale"):
                accounts.set_language(user, session["locale"])
            db.session.commit()
            _start_session(user)
            return redirect(_safe_next(request.args.get("next")))
        db.session.commit()  # the failed attempt stays in the audit trail
        g.credentials_refused = True
        flash(_("Unknown username or wrong password."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@requires(ACCOUNT)
def logout():
    accounts.sign_out(current_user)
    db.session.commit()
    language = session.get("locale")
    logout_user()
    session.clear()
    if language:
        session["locale"] = language
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@requires(ACCOUNT)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=lambda: f"password:{current_user.id}",
    methods=["POST"],
    deduct_when=_failed_login,
)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except Refused as refusal:
            form.current_password.errors.append(refusal.message)
        else:
            db.session.commit()
            # The change ended every session, this one too; carry this one on, its age unchanged.
            _start_session(current_user._get_current_object(), session.get("signed_in_at"))
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)


@bp.post("/language")
def set_language():
    """Deliberately public: the sign-in page offers the language choice too."""
    language = request.form.get("language")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = language
    if current_user.is_authenticated:
        accounts.set_language(current_user, language)
        db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


# --- the admin's management of users -------------------------------------------------------


def _centre_choices():
    centres = db.session.scalars(db.select(Centre).order_by(Centre.name)).all()
    return [(c.id, c.name) for c in centres]


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


def _user_form(user: User, *, submitted: bool = True) -> UserForm:
    """The edit form; ``submitted=False`` shows the stored values whatever the request holds."""
    form = UserForm(
        obj=user, centre_choices=_centre_choices(), **({} if submitted else {"formdata": None})
    )
    if not submitted or not form.is_submitted():
        form.role.data = user.role.value
        form.centres.data = sorted(user.centre_ids)
    return form


@bp.get("/users")
@requires("users.manage")
def list_users():
    users = db.session.scalars(db.select(User).order_by(User.family_name, User.given_name)).all()
    return render_template("auth/list_users.html", users=users)


@bp.route("/users/new", methods=["GET", "POST"])
@requires("users.manage")
def create_user():
    form = NewUserForm(centre_choices=_centre_choices())
    if form.validate_on_submit():
        user = run_service(
            form,
            None,
            accounts.create_user,
            actor=current_user,
            username=form.username.data,
            given_name=form.given_name.data,
            family_name=form.family_name.data,
            email=form.email.data,
            role=form.role.data,
            centre_ids=form.centres.data,
            password=form.password.data,
        )
        if user:
            flash(_("The account %(username)s was created.", username=user.username), "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/edit_user.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires("users.manage")
def edit_user(user_id: int):
    user = _user_or_404(user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        saved = run_service(
            form,
            user,
            accounts.update_user,
            user,
            actor=current_user,
            version=form.version.data,
            username=form.username.data,
            given_name=form.given_name.data,
            family_name=form.family_name.data,
            email=form.email.data,
            role=form.role.data,
            centre_ids=form.centres.data,
            active=form.active.data,
        )
        if saved:
            flash(_("The account %(username)s was saved.", username=user.username), "success")
            return redirect(url_for("auth.list_users"))
    return render_template(
        "auth/edit_user.html", form=form, user=user, reset_form=ResetPasswordForm(formdata=None)
    )


@bp.post("/users/<int:user_id>/password")
@requires("users.manage")
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(user, actor=current_user, password=form.password.data)
        except Refused as refusal:
            flash(refusal.message, "error")
            return redirect(url_for("auth.change_password"))
        db.session.commit()
        flash(
            _(
                "The password of %(username)s was reset; it must be changed at the next sign-in.",
                username=user.username,
            ),
            "success",
        )
        return redirect(url_for("auth.edit_user", user_id=user.id))
    edit_form = _user_form(user, submitted=False)
    return render_template("auth/edit_user.html", form=edit_form, user=user, reset_form=form), 400
