@node "%~dp0host.js" %*
