import { idAt, operation } from '../../shared/operation';
import { qrCodeImage } from '../../shared/output';
import { paymentId } from './paymentId';

export const getPublicUrl = operation({
	name: 'Get Public URL',
	value: 'getPublicUrl',
	action: 'Get the public link of a payment',
	description: 'Get the page where the customer pays, its short link and QR code, the QR code also as an image (salescenter.payment.getPublicUrl)',
	method: 'salescenter.payment.getPublicUrl',
	output: [qrCodeImage],
	fields: [
		idAt(paymentId, 'id'),
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'Put QR Code in Field',
					name: 'binaryPropertyName',
					type: 'string',
					default: 'data',
					description: 'The name of the binary field that receives the QR code image',
				},
			],
		},
	],
});
