; Inno Setup 6 script (6.3 or later): the per-user Windows installer for ProcureDesk.
;
; Built by .github/workflows/windows.yml after PyInstaller has made dist\procure-desk
; (packaging/procure-desk.spec), from the repository root:
;   iscc /DAppVersion=0.1.0 packaging\windows\procure-desk.iss
; giving dist\ProcureDesk-0.1.0-setup.exe.
;
; No admin rights: it installs into %LOCALAPPDATA%\Programs\ProcureDesk ({userpf}),
; writes only under HKEY_CURRENT_USER (the .pdesk association, the uninstall entry)
; and puts its shortcut in the user's Start menu. Silent install for deployment tools
; (Intune, SCCM, a logon script):
;   ProcureDesk-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; and silent removal: "%LOCALAPPDATA%\Programs\ProcureDesk\unins000.exe" /VERYSILENT
; Evaluation files and the user's settings are never touched by either.

#ifndef AppVersion
  #error Give the version: iscc /DAppVersion=X.Y.Z packaging\windows\procure-desk.iss
#endif
; the folder PyInstaller made, relative to this script
#ifndef BundleDir
  #define BundleDir "..\..\dist\procure-desk"
#endif

[Setup]
; The AppId ties upgrades and the uninstaller together: never change it.
AppId={{6C0E3F0A-5B1D-4E52-9D4B-0D5A7E2C9F31}
AppName=ProcureDesk
AppVersion={#AppVersion}
AppVerName=ProcureDesk {#AppVersion}
AppPublisher=ProcureDesk
AppComments=Evaluate supplier tenders and keep the evidence
VersionInfoVersion={#AppVersion}
PrivilegesRequired=lowest
DefaultDirName={userpf}\ProcureDesk
DisableDirPage=auto
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
ChangesAssociations=yes
CloseApplications=yes
SetupIconFile=..\icons\procure-desk.ico
UninstallDisplayIcon={app}\ProcureDesk.exe
UninstallDisplayName=ProcureDesk {#AppVersion}
OutputDir=..\..\dist
OutputBaseFilename=ProcureDesk-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; an upgrade replaces the program's own files: none of an older version lingers
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\ProcureDesk"; Filename: "{app}\ProcureDesk.exe"; Comment: "Evaluate supplier tenders"
Name: "{userdesktop}\ProcureDesk"; Filename: "{app}\ProcureDesk.exe"; Tasks: desktopicon

[Registry]
; .pdesk files open in ProcureDesk, with its icon: per user, under HKCU\Software\Classes
Root: HKCU; Subkey: "Software\Classes\.pdesk"; ValueType: string; ValueName: ""; ValueData: "ProcureDesk.Evaluation"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.pdesk"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-procure-desk"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.pdesk\OpenWithProgids"; ValueType: string; ValueName: "ProcureDesk.Evaluation"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\ProcureDesk.Evaluation"; ValueType: string; ValueName: ""; ValueData: "ProcureDesk evaluation"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\ProcureDesk.Evaluation\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\ProcureDesk.exe,0"
Root: HKCU; Subkey: "Software\Classes\ProcureDesk.Evaluation\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\ProcureDesk.exe"" open ""%1"""
Root: HKCU; Subkey: "Software\Classes\Applications\ProcureDesk.exe\SupportedTypes"; ValueType: string; ValueName: ".pdesk"; ValueData: ""; Flags: uninsdeletekey

[Run]
Filename: "{app}\ProcureDesk.exe"; Description: "{cm:LaunchProgram,ProcureDesk}"; Flags: nowait postinstall skipifsilent
