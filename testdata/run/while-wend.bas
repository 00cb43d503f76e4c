' WHILE ... WEND tests before each pass.
ON WEBHOOK POST TO "/t" DO
  I = 0
  WHILE I < 3
    PRINT I
    I = I + 1
  WEND
  WHILE I < 0
    PRINT "never"
  WEND
END ON
