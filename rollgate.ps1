# Runs Rollgate from this checkout on Windows, step by step as ./rollgate does: builds the runnable
# jar first when it is missing or older than the sources, then runs it with a JDK 21 or newer.
# Usage: .\rollgate.ps1 serve (or rollgate.cmd serve from cmd.exe). Exits with java's exit code.
$ErrorActionPreference = 'Stop'

$root = $PSScriptRoot
$jar = "$root\rollgate-cli\target\rollgate.jar"

# Prints the major version and java.home of the java binary $java, or nothing.
function Get-JavaVersion($java) {
  $ErrorActionPreference = 'Continue' # java -version writes to stderr
  $settings = try { & $java '-XshowSettings:properties' -version 2>&1 | % { "$_" } } catch { @() }
  $version = $settings | ForEach-Object {
    if ($_ -match '^\s*java\.specification\.version = (?:1\.)?(\d+)') { [int]$Matches[1] }
  } | Select-Object -First 1
  $dir = $settings | ForEach-Object {
    if ($_ -match '^\s*java\.home = (.+)$') { $Matches[1].Trim() }
  } | Select-Object -First 1
  if ($version -and $dir) { [pscustomobject]@{ Version = $version; Home = $dir } }
}

function Find-JavaHome {
  $candidates = @()
  if ($env:JAVA_HOME) { $candidates += "$env:JAVA_HOME\bin\java.exe" }
  # java on the PATH is often a link (Oracle's javapath): its java.home says where the JDK is.
  $onPath = Get-Command java -CommandType Application -ErrorAction SilentlyContinue |
    Select-Object -First 1
  if ($onPath) { $candidates += $onPath.Path }
  foreach ($pattern in "$env:ProgramFiles\Java\*", "$env:ProgramFiles\Eclipse Adoptium\*",
    "$env:ProgramFiles\Microsoft\jdk*", "$env:USERPROFILE\.jdks\*") {
    foreach ($dir in Get-ChildItem -Path $pattern -Directory -ErrorAction SilentlyContinue) {
      $candidates += "$($dir.FullName)\bin\java.exe"
    }
  }
  $best = $null
  $bestVersion = 0
  foreach ($java in $candidates) {
    if (-not (Test-Path -LiteralPath $java)) { continue }
    $found = Get-JavaVersion $java
    if ($found -and $found.Version -ge 21 -and $found.Version -gt $bestVersion) {
      $best = $found.Home
      $bestVersion = $found.Version
      # Keep an explicit JAVA_HOME when it is new enough.
      if ($env:JAVA_HOME -and $java -eq "$env:JAVA_HOME\bin\java.exe") { break }
    }
  }
  $best
}

$javaHome = Find-JavaHome
if (-not $javaHome) {
  [Console]::Error.WriteLine('rollgate: needs a JDK 21 or newer; set JAVA_HOME to one')
  exit 2
}
$env:JAVA_HOME = $javaHome

function Test-Stale {
  if (-not (Test-Path -LiteralPath $jar)) { return $true }
  $built = (Get-Item -LiteralPath $jar).LastWriteTimeUtc
  # As find -newer: pom.xml, rollgate-*\pom.xml and everything under rollgate-*\src\main.
  $sources = @(Get-Item -LiteralPath "$root\pom.xml")
  foreach ($module in Get-ChildItem -LiteralPath $root -Directory -Filter 'rollgate-*') {
    $main = "$($module.FullName)\src\main"
    $sources += @(Get-Item -LiteralPath "$($module.FullName)\pom.xml", $main -ErrorAction Ignore)
    $sources += @(Get-ChildItem -LiteralPath $main -Recurse -Force -ErrorAction Ignore)
  }
  [bool]($sources | Where-Object { $_.LastWriteTimeUtc -gt $built } | Select-Object -First 1)
}

function Invoke-Build {
  [Console]::Error.WriteLine('rollgate: building (first run or sources changed)...')
  $ErrorActionPreference = 'Continue' # Maven's stderr goes to the log, not into errors
  $log = [System.IO.Path]::GetTempFileName()
  # The CLI and everything it needs, plus the OpenFeature provider, which a user of the SDK wants.
  # Quoted: unquoted, PowerShell splits -Dspotless.check.skip=true at a dot and a,b into two.
  $mavenArgs = @('-B', '-DskipTests', '-Dspotless.check.skip=true',
    '-pl', 'rollgate-cli,rollgate-openfeature', '-am', 'package')
  Push-Location -LiteralPath $root # mvnw.cmd finds the project from the current directory
  try { & "$root\mvnw.cmd" @mavenArgs *> $log; $status = $LASTEXITCODE } finally { Pop-Location }
  if ($status -ne 0) {
    Get-Content -LiteralPath $log | Where-Object { $_ -match '^\[(ERROR|WARNING)\] ' } |
      Select-Object -First 40 | ForEach-Object { [Console]::Error.WriteLine($_) }
    Remove-Item -LiteralPath $log -Force
    [Console]::Error.WriteLine('rollgate: build failed')
    exit 2
  }
  Remove-Item -LiteralPath $log -Force
}

if (Test-Stale) {
  # Launchers started together (`.\rollgate.ps1 serve` in one window, `.\rollgate.ps1 wait-ready`
  # in another) build once: the others wait on the lock, then find the jar fresh.
  New-Item -ItemType Directory -Force -Path "$root\rollgate-cli\target" | Out-Null
  $lock = $null
  while (-not $lock) {
    try {
      $lock = [System.IO.File]::Open("$root\rollgate-cli\target\.launcher-build.lock",
        'OpenOrCreate', 'ReadWrite', 'None')
    } catch [System.IO.IOException] { Start-Sleep -Milliseconds 500 }
  }
  # Released before java starts, or the lock would last as long as the server.
  try { if (Test-Stale) { Invoke-Build } } finally { $lock.Dispose() }
}

$javaOpts = @(-split "$env:ROLLGATE_JAVA_OPTS" | Where-Object { $_ }) # split at blanks, as bash does
$javaArgs = @($args)
if (Get-Variable PSNativeCommandArgumentPassing -ErrorAction SilentlyContinue) {
  $PSNativeCommandArgumentPassing = 'Standard' # PowerShell 7.3+: arguments reach java as given
} else {
  # Windows PowerShell drops the double quotes inside arguments (--context '{"tenant": "acme"}')
  # on their way to java: escape them as the C runtime reads them back.
  $javaArgs = @($javaArgs | ForEach-Object { $_ -replace '(\\*)"', '$1$1\"' })
}
& "$javaHome\bin\java.exe" @javaOpts -jar $jar @javaArgs
exit $LASTEXITCODE
