import pytest
from PySide6.QtWidgets import QMessageBox

from trayassist.ui.download_dialog import DownloadDialog
from trayassist.ui.key_dialog import KeyChoiceDialog

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
