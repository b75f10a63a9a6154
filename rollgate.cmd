@echo off
rem Runs Rollgate from this checkout on Windows: builds the runnable jar first when it is missing or
rem older than the sources, then runs it with a JDK 21 or newer. Usage: rollgate.cmd serve
rem
rem It delegates to rollgate.ps1 beside it, which does what ./rollgate does step by step (find a
rem JDK, build when needed, run): Windows PowerShell comes with every Windows 10 and newer, and one
rem script for both keeps them from drifting apart, where batch could not read java's version or
rem compare file times without a page of code. All arguments go through as given, and the
rem exit code is java's (or 2 when there is no JDK or the build failed).
setlocal
where powershell >nul 2>nul || (>&2 echo rollgate: needs Windows PowerShell to run rollgate.ps1& exit /b 2)
powershell -NoProfile -ExecutionPolicy Bypass -File "%~dp0rollgate.ps1" %*
exit /b %ERRORLEVEL%
