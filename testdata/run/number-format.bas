' Numbers print as JavaScript's Number.prototype.toString does.
ON WEBHOOK POST TO "/t" DO
  PRINT 200; " "; 3.5; " "; 0.5; " "; 1000000; " "; 0.1 + 0.2; " "; 1e21; " "; -7; " "; 1e3; " "; 10 / 4; " "; 1 / 3; " "; 0.000001; " "; 0.0000001; " "; 123456789012345680000
END ON
