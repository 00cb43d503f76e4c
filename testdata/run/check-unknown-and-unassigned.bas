' Check errors: an unknown name with a did-you-mean hint, and variables no statement assigns.
ON WEBHOOK POST TO "/t" DO
  PRINT GET FROM VALUE "x"
  PRINT NEVER$
  LET COUNT = 1
  PRINT CONT
END ON
