import pytest
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox

from trayassist.ui.download_dialog import DownloadDialog
from trayassist.ui.key_dialog import FreshStartDialog, KeyChoiceDialog, PassphraseDialog, sentence

pytestmark = pytest.mark.ui


def test_download_needs_an_explicit_click(qtbot) -> None:
    dialog = DownloadDialog("small.en", "484 MB")
    qtbot.addWidget(dialog)
    assert "small.en" in dialog.text() and "484 MB" in dialog.text()
    assert dialog.defaultButton() is dialog.button(QMessageBox.StandardButton.Cancel)
    assert not dialog.consented()
    dialog.download_button.click()
    assert dialog.consented()


def test_key_choice_validates_the_passphrase(qtbot) -> None:
    dialog = KeyChoiceDialog("No secure keyring.")
    qtbot.addWidget(dialog)
    dialog.passphrase.setText("short")
    with pytest.raises(ValueError, match="at least"):
        dialog.choice()
    dialog.passphrase.setText("correct horse battery")
    dialog.repeat.setText("correct horse batterx")
    with pytest.raises(ValueError, match="differ"):
        dialog.choice()
    dialog.repeat.setText("correct horse battery")
    assert dialog.choice() == ("passphrase", "correct horse battery")
    dialog.session_choice.setChecked(True)
    assert dialog.choice() == ("session", None)
    dialog.off_choice.setChecked(True)
    assert dialog.choice() == ("off", None)


def test_new_passphrase_is_typed_twice_and_checked(qtbot) -> None:
    dialog = PassphraseDialog("Choose a passphrase for the new history.", new=True)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Protect your new history"
    dialog.passphrase.setText("short")
    dialog.repeat.setText("short")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.text() == "The passphrase needs at least 8 characters."
    dialog.passphrase.setText("correct horse battery")
    dialog.repeat.setText("correct horse batterx")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted and "differ" in dialog.error.text()
    dialog.repeat.setText("correct horse battery")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_unlocking_asks_once_and_accepts_what_is_typed(qtbot) -> None:
    dialog = PassphraseDialog("the history is locked with a passphrase; enter it to unlock")
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Unlock your history" and dialog.repeat.isHidden()
    dialog.passphrase.setText("x")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_fresh_start_names_the_problem_and_defaults_to_starting_anew(qtbot) -> None:
    dialog = FreshStartDialog("history.sqlite3 is damaged (file is not a database); nothing was changed")
    qtbot.addWidget(dialog)
    text = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "history.sqlite3 is damaged (file is not a database); nothing was changed." in text
    assert "nothing is lost" in text
    assert dialog.start.isDefault()
    dialog.start.click()
    assert dialog.result() == QDialog.DialogCode.Accepted


@pytest.mark.parametrize("text, shown", [
    ("the history is locked", "The history is locked."),
    ("history.sqlite3 is damaged", "history.sqlite3 is damaged."),
    ("Already a sentence.", "Already a sentence."),
])
def test_messages_read_as_sentences(text: str, shown: str) -> None:
    assert sentence(text) == shown
