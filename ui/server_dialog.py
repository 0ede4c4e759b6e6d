"""Open from server: where the evaluation is and who you are, never your password.

The dialog builds a libpq address (`postgresql://login@host:port/database?
evaluation=REF&sslmode=...`, or a service name from the user's pg_service.conf).
The password is libpq's business: the user's password file (~/.pgpass, on
Windows %APPDATA%\\postgresql\\pgpass.conf), a service file, or a client
certificate. ProcureDesk neither asks for it nor keeps it.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

NO_PASSWORD = ("ProcureDesk does not ask for or keep your password: your database "
               "administrator sets up your password file (.pgpass), a service file or a "
               "certificate on this computer.")


def server_address(*, host: str, port: int, database: str, login: str, evaluation: str,
                   sslmode: str = "verify-full", service: str = "") -> str:
    """The libpq address for these settings (no password, ever)."""
    query: dict[str, str] = {}
    if service:
        query["service"] = service
    if sslmode and not service:
        query["sslmode"] = sslmode
    query["evaluation"] = evaluation
    if service:
        return f"postgresql://?{urlencode(query)}"
    who = f"{quote(login, safe='')}@" if login else ""
    where = f"{host}:{port}" if host else ""
    return f"postgresql://{who}{where}/{quote(database, safe='')}?{urlencode(query)}"


class ServerDialog(QDialog):
    """Asks where the shared evaluation is; `address()` is the URL to open."""

    def __init__(self, parent: QWidget | None = None, *, login: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Open from server")
        form = QFormLayout()
        self.service = QLineEdit()
        self.service.setPlaceholderText("optional: a service name from pg_service.conf")
        self.host = QLineEdit()
        self.host.setPlaceholderText("e.g. procure-db.council.gov.uk")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit()
        self.login = QLineEdit(login)
        self.evaluation = QLineEdit()
        self.evaluation.setPlaceholderText("the evaluation's reference, e.g. ICT-2025-07")
        self.sslmode = QComboBox()
        self.sslmode.addItems(["verify-full", "require", "prefer", "disable"])
        for label, widget in (("Server", self.host), ("Port", self.port),
                              ("Database", self.database), ("Your login", self.login),
                              ("Evaluation", self.evaluation),
                              ("Encryption (TLS)", self.sslmode),
                              ("Or a service", self.service)):
            widget.setAccessibleName(label)
            form.addRow(label, widget)
        note = QLabel(NO_PASSWORD)
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        for edit in (self.service, self.host, self.database, self.evaluation):
            edit.textChanged.connect(self._enable)
        self._enable()

    def _enable(self) -> None:
        ready = bool(self.evaluation.text().strip()) and (
            bool(self.service.text().strip()) or bool(self.database.text().strip()))
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(ready)

    def address(self) -> str:
        return server_address(host=self.host.text().strip(), port=self.port.value(),
                              database=self.database.text().strip(),
                              login=self.login.text().strip(),
                              evaluation=self.evaluation.text().strip(),
                              sslmode=self.sslmode.currentText(),
                              service=self.service.text().strip())
