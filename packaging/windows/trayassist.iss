; Inno Setup script: installs the PyInstaller one-folder build (dist\trayassist) per user.
; Build (after PyInstaller, from the repo root):
;   iscc /DAppVersion=0.1.0 packaging\windows\trayassist.iss
; Output: dist\trayassist-<version>-setup.exe. NOT VERIFIED on this (Linux) machine: the CI
; workflow .github/workflows/package.yml builds it on a Windows runner.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "TrayAssist"
#define AppExe "trayassist.exe"
#define AppCli "trayassist-cli.exe"
#define RunKey "Software\Microsoft\Windows\CurrentVersion\Run"

[Setup]
; A fixed AppId ties upgrades and the uninstaller to the same installation.
AppId={{6E0F3A52-4C1B-4E0B-9A55-2B7C1D9E8F14}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=TrayAssist developers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user install: no admin prompt, and the Run key below is the user's own (HKCU).
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=trayassist-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\trayassist.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; The tray app may be running during an upgrade or uninstall.
CloseApplications=yes
CloseApplicationsFilter={#AppExe},{#AppCli}

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "startatlogin"; Description: "Start {#AppName} when I sign in"; GroupDescription: "Start-up:"; Flags: unchecked
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\trayassist\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; Opt-in start at login. The app's own "start at login" setting writes the same value,
; so the two agree; uninsdeletevalue removes it whichever wrote it.
Root: HKCU; Subkey: "{#RunKey}"; ValueType: string; ValueName: "{#AppName}"; ValueData: """{app}\{#AppExe}"""; Flags: uninsdeletevalue; Tasks: startatlogin

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
; Stop a running instance before its files are removed.
Filename: "{app}\{#AppCli}"; Parameters: "quit"; Flags: runhidden waituntilterminated skipifdoesntexist; RunOnceId: "QuitApp"

[UninstallDelete]
; Logs and caches the app wrote under its own folder, if any.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
var
  WipeHistory: Boolean;

function InitializeUninstall(): Boolean;
begin
  WipeHistory := False;
  // Silent uninstalls (/SILENT, /VERYSILENT) keep the history: destroying data needs a yes.
  if not UninstallSilent() then
    WipeHistory := MsgBox('Also wipe your TrayAssist history?' + #13#10 + #13#10 +
      'Yes destroys its encryption key and deletes every stored transcript for good.' + #13#10 +
      'No keeps it for a later reinstall.', mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
  Result := True;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  ResultCode: Integer;
begin
  // usUninstall comes before [UninstallRun] and before any file is deleted: stop the
  // running app first so it does not hold the history open, then wipe.
  if (CurUninstallStep = usUninstall) and WipeHistory then
  begin
    Exec(ExpandConstant('{app}\{#AppCli}'), 'quit', '', SW_HIDE, ewWaitUntilTerminated, ResultCode);
    if not Exec(ExpandConstant('{app}\{#AppCli}'), 'history wipe --yes', '', SW_HIDE,
                ewWaitUntilTerminated, ResultCode) or (ResultCode <> 0) then
      MsgBox('TrayAssist could not wipe the history (exit code ' + IntToStr(ResultCode) + ').' + #13#10 +
        'Run "trayassist-cli history wipe --yes" yourself before deleting its data folder.',
        mbError, MB_OK);
  end;
end;
