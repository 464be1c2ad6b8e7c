"""Image in, words and fields out: page loading, OpenCV preprocessing, the Tesseract wrapper,
field extraction. Library code: imports only the kernel, never prefect."""
