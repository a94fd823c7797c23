package io.aixcl.stackfile;
