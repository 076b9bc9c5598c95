@echo off
rem Runs once, after Windows Setup, as SYSTEM.
reg add "HKLM\SOFTWARE\Contoso\Deployment" /v SetupComplete /t REG_DWORD /d 1 /f
