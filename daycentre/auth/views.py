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
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_user, logout_user

from daycentre.auth import bp, scope
from daycentre.auth import second_factor as two_factor
from daycentre.auth import services as accounts
from daycentre.auth.forms import (
    ChangePasswordForm,
    EnrolSecondFactorForm,
    LoginForm,
    NewUserForm,
    RenewRecoveryCodesForm,
    ResetPasswordForm,
    ResetSecondFactorForm,
    SecondFactorCodeForm,
    UserForm,
)
from daycentre.auth.models import User
from daycentre.auth.passwords import WeakPassword
from daycentre.auth.permissions import requires
from daycentre.auth.roles import ACCOUNT
from daycentre.centres.models import Centre
from daycentre.core.errors import Refused, render_error
from daycentre.core.forms import run_service
from daycentre.extensions import db, limiter, login_form_username


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
        try:
            user = accounts.authenticate(
                form.username.data, form.password.data, address=request.remote_addr
            )
        except Refused as refusal:
            db.session.commit()  # the refused attempt stays in the audit trail
            flash(refusal.message, "error")
            return render_template("auth/login.html", form=form)
        if user is not None:
            if user.locale is None and session.get("locale"):
                accounts.set_language(user, session["locale"])
            next_url = _safe_next(request.args.get("next"))
            if two_factor.is_enrolled(user):
                db.session.commit()
                _await_second_factor(user, next_url)
                return redirect(url_for("auth.enter_code"))
            accounts.sign_in(user, address=request.remote_addr)
            db.session.commit()
            _start_session(user)
            return redirect(next_url)
        db.session.commit()  # the failed attempt stays in the audit trail
        g.credentials_refused = True
        flash(_("Unknown username or wrong password."), "error")
    return render_template("auth/login.html", form=form)


# --- the second factor -------------------------------------------------------------------------

# Between the password and the code: who, which session version, until when, where to go next.
# Nobody is signed in yet; only the code page reads this.
PENDING_SECOND_FACTOR = "second_factor_pending"
# The secret being enrolled, encrypted, until a code proves the app holds it.
ENROLMENT_SECRET = "second_factor_secret"  # noqa: S105 - a session key, not a secret


def _await_second_factor(user: User, next_url: str) -> None:
    language = session.get("locale")
    session.clear()
    until = datetime.now(UTC) + current_app.config["SECOND_FACTOR_PENDING"]
    session[PENDING_SECOND_FACTOR] = {
        "user": user.id,
        "version": user.session_version,
        "until": until.timestamp(),
        "next": next_url,
    }
    if language:
        session["locale"] = language


def _pending() -> dict:
    pending = session.get(PENDING_SECOND_FACTOR)
    return pending if isinstance(pending, dict) else {}


def _pending_user() -> User | None:
    pending = _pending()
    user_id = pending.get("user")
    if not isinstance(user_id, int) or pending.get("until", 0) < datetime.now(UTC).timestamp():
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_version != pending.get("version"):
        return None
    return user if two_factor.is_enrolled(user) else None


def _code_refused(response) -> bool:
    """Only a wrong code counts against the budget, not a page view or a success."""
    return g.get("code_refused", False)


@bp.route("/code", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["SECOND_FACTOR_LIMIT"],
    key_func=lambda: f"second-factor:{_pending().get('user')}",
    methods=["POST"],
    deduct_when=_code_refused,
)
def enter_code():
    """Deliberately public: the second step of signing in, for whoever gave the right password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    user = _pending_user()
    if user is None:
        session.pop(PENDING_SECOND_FACTOR, None)
        flash(_("Please sign in again: the time to enter the code ran out."), "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorCodeForm()
    if form.validate_on_submit():
        if two_factor.verify(user, form.code.data, address=request.remote_addr):
            next_url = _pending().get("next")
            accounts.sign_in(user, address=request.remote_addr)
            db.session.commit()
            _start_session(user)
            return redirect(_safe_next(next_url))
        db.session.commit()  # the failure stays in the audit trail
        g.code_refused = True
        form.code.errors.append(_("This code is not correct or was already used."))
    return render_template("auth/enter_code.html", form=form)


def _code_budget() -> str:
    """Codes guessed with a stolen session (new recovery codes) share the sign-in's budget."""
    return "second-factor" if two_factor.is_enrolled(current_user) else "enrolment"


@bp.route("/second-factor", methods=["GET", "POST"])
@requires(ACCOUNT)
@limiter.limit(
    lambda: current_app.config["SECOND_FACTOR_LIMIT"],
    key_func=lambda: f"{_code_budget()}:{current_user.id}",
    methods=["POST"],
    deduct_when=_code_refused,
)
def set_up_second_factor():
    user = current_user._get_current_object()
    if two_factor.is_enrolled(user):
        return _renew_recovery_codes(user)
    secret = two_factor.decrypt_secret(session.get(ENROLMENT_SECRET))
    if secret is None:
        secret = two_factor.new_secret()
        session[ENROLMENT_SECRET] = two_factor.encrypt_secret(secret)
    form = EnrolSecondFactorForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.enrol(user, secret, form.code.data, address=request.remote_addr)
        except Refused as refusal:
            db.session.commit()  # the failure stays in the audit trail
            g.code_refused = True
            form.code.errors.append(refusal.message)
        else:
            db.session.commit()
            login_user(user)  # this session goes on under the new session version; others end
            # Shown in this answer only (never stored in clear, never put in the cookie).
            return render_template("auth/recovery_codes.html", codes=codes, enrolled=True)
    return render_template(
        "auth/set_up_second_factor.html",
        form=form,
        qr_code=two_factor.qr_code_svg(two_factor.provisioning_uri(user, secret)),
        secret=two_factor.display_secret(secret),
        required=user.second_factor_required,
    )


def _renew_recovery_codes(user: User):
    form = RenewRecoveryCodesForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.renew_recovery_codes(
                user, form.code.data, address=request.remote_addr
            )
        except Refused as refusal:
            db.session.commit()
            g.code_refused = True
            form.code.errors.append(refusal.message)
        else:
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, enrolled=False)
    return render_template(
        "auth/second_factor.html",
        form=form,
        factor=user.second_factor,
        codes_left=two_factor.recovery_codes_left(user),
    )


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
    response = redirect(url_for("auth.login"))
    # The rolls this phone kept to work offline, and marks not yet sent, go with the session.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


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
        except WeakPassword as refusal:
            db.session.rollback()
            form.new_password.errors.append(refusal.message)
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


@bp.app_errorhandler(RateLimitExceeded)
def refuse_throttled(error: RateLimitExceeded):
    """The 429 page with Retry-After; a locked account's attempt is an audit event of its own."""
    for limit in limiter.current_limits:
        key = str(limit.request_args[0]) if limit.breached and limit.request_args else ""
        if key.startswith("account:"):
            accounts.record_lockout(key.removeprefix("account:"), address=request.remote_addr)
        elif key.startswith("second-factor:"):
            accounts.record_lockout_by_id(
                key.removeprefix("second-factor:"), address=request.remote_addr
            )
    db.session.commit()
    return render_error(error)


# --- the admin's management of users -------------------------------------------------------


def _centre_choices():
    centres = db.session.scalars(db.select(Centre).order_by(Centre.name)).all()
    return [(c.id, c.name) for c in centres]


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
    user = scope.record_or_404(User, user_id)
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
    return _edit_user_page(user, form)


@bp.post("/users/<int:user_id>/password")
@requires("users.manage")
def reset_password(user_id: int):
    user = scope.record_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(user, actor=current_user, password=form.password.data)
        except WeakPassword as refusal:
            db.session.rollback()
            form.password.errors.append(refusal.message)
            edit_form = _user_form(user, submitted=False)
            return _edit_user_page(user, edit_form, reset_form=form), 400
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
    return _edit_user_page(user, edit_form, reset_form=form), 400


@bp.post("/users/<int:user_id>/second-factor/reset")
@requires("users.manage")
def reset_second_factor(user_id: int):
    user = scope.record_or_404(User, user_id)
    if not ResetSecondFactorForm().validate_on_submit():
        abort(400)
    try:
        two_factor.reset(user, actor=current_user)
    except Refused as refusal:
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(
            _(
                "The second factor of %(username)s was reset and their sessions ended; "
                "they set it up again at the next sign-in.",
                username=user.username,
            ),
            "success",
        )
    return redirect(url_for("auth.edit_user", user_id=user.id))


def _edit_user_page(user: User, form: UserForm, *, reset_form: ResetPasswordForm | None = None):
    return render_template(
        "auth/edit_user.html",
        form=form,
        user=user,
        reset_form=reset_form or ResetPasswordForm(formdata=None),
        second_factor_form=ResetSecondFactorForm(formdata=None),
        second_factor_required=user.second_factor_required,
    )
